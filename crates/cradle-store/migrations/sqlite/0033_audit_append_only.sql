-- The database itself keeps the audit trail append-only: a record is never changed or
-- removed, and the chain's head only ever moves forward. (Someone who can drop these
-- triggers can still rewrite the trail; signed checkpoints, kept outside the database,
-- catch that: see docs/operations.md.)
CREATE TRIGGER audit_events_never_change BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit records cannot be changed'); END;
CREATE TRIGGER audit_events_never_removed BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit records cannot be removed'); END;
CREATE TRIGGER audit_head_only_forward BEFORE UPDATE ON audit_head WHEN NEW.seq <= OLD.seq
BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward'); END;
CREATE TRIGGER audit_head_never_removed BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'the audit head cannot be removed'); END;
