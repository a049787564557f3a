-- Video feedback coding. Each team's coding schemes, every version kept whole (a coded event
-- keeps the version it was coded under, so old coding never changes its meaning).
CREATE TABLE coding_schemes (
    team_id UUID NOT NULL REFERENCES teams(id),
    id UUID NOT NULL,
    version BIGINT NOT NULL,
    record TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, id, version)
);

-- Moments and states coded on a recording's timeline, each by one coder. The event as JSON
-- in `record`, its earlier versions inside it; its version also as a column, so a correction
-- is made only to the version it was read at.
CREATE TABLE coded_events (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    recording_id UUID NOT NULL REFERENCES recordings(id),
    coder UUID NOT NULL REFERENCES staff(id),
    record TEXT NOT NULL,
    version BIGINT NOT NULL,
    start_millis BIGINT NOT NULL,
    coded_at BIGINT NOT NULL
);
CREATE INDEX coded_events_by_recording ON coded_events(recording_id, start_millis);
