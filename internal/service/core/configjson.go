package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func GetConfig(ctx context.Context, c store.Configs, key string, into any) error {
	raw, err := c.Get(ctx, key)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return err
		}
		return fmt.Errorf("read config %s: %w", key, err)
	}
	if err := json.Unmarshal(raw, into); err != nil {
		return fmt.Errorf("decode config %s: %w", key, err)
	}
	return nil
}

func PutConfig(ctx context.Context, c store.Configs, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode config %s: %w", key, err)
	}
	if err := c.Put(ctx, key, raw); err != nil {
		return fmt.Errorf("write config %s: %w", key, err)
	}
	return nil
}
