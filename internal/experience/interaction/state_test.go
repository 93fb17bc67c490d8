package interaction

import (
	"errors"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
)

func TestSignInAsRefusesASecondAccount(t *testing.T) {
	var st State
	if err := st.SignInAs("u1", "pwd"); err != nil || st.UserID != "u1" {
		t.Fatalf("first account: %v, user %q", err, st.UserID)
	}
	if err := st.SignInAs("u1", "pwd"); err != nil || len(st.AMR) != 1 {
		t.Fatalf("the same account again: %v, amr %v (want one pwd)", err, st.AMR)
	}
	err := st.SignInAs("u2", "")
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != "session.identity_conflict" || st.UserID != "u1" {
		t.Fatalf("another account = %v, user %q; want session.identity_conflict and u1 kept", err, st.UserID)
	}
}

func TestReplaceVerificationKeepsOneRecordPerType(t *testing.T) {
	var st State
	st.ReplaceVerification(Record{ID: "a", Type: "Password"})
	st.ReplaceVerification(Record{ID: "b", Type: "EmailVerificationCode"})
	st.ReplaceVerification(Record{ID: "c", Type: "Password"})
	if _, ok := st.Record("a"); ok {
		t.Error("the replaced password record is still there")
	}
	if r, ok := st.Record("c"); !ok || r.Type != "Password" || len(st.VerificationRecords) != 2 {
		t.Errorf("records %+v", st.VerificationRecords)
	}
}
