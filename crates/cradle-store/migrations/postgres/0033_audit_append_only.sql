-- The database itself keeps the audit trail append-only: a record is never changed or
-- removed (nor the table emptied), and the chain's head only ever moves forward. Run Cradle
-- as a role without UPDATE, DELETE or TRUNCATE on audit_events as well (docs/operations.md);
-- someone who can drop these triggers can still rewrite the trail, and signed checkpoints,
-- kept outside the database, catch that.
CREATE FUNCTION refuse_audit_rewrite() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'audit_head' AND TG_OP = 'UPDATE' THEN
        IF NEW.seq > OLD.seq THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'the audit head only moves forward';
    END IF;
    RAISE EXCEPTION 'audit records cannot be changed or removed (%)', TG_OP;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_rewrite();
CREATE TRIGGER audit_events_never_emptied BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_rewrite();
CREATE TRIGGER audit_head_only_forward BEFORE UPDATE OR DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_rewrite();
CREATE TRIGGER audit_head_never_emptied BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_rewrite();
