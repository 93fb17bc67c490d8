package store

// Users persists end users and their role links. (Defined by the users work of issue 3.)
type Users interface{}
