-- orderflow schema. Runs at every start-up, so every statement is idempotent.
-- Portable between PostgreSQL and CockroachDB:
--  * the journal's ordering column takes an explicit sequence (CockroachDB's SERIAL is
--    unique but not monotonic, and eventsByTag needs a monotonic ordering);
--  * no CREATE INDEX CONCURRENTLY (not allowed in a transaction, nor on CockroachDB).

-- Pekko Persistence JDBC: the event journal, its tags and snapshots.
CREATE SEQUENCE IF NOT EXISTS event_journal_ordering_seq;

CREATE TABLE IF NOT EXISTS event_journal (
  ordering BIGINT NOT NULL DEFAULT nextval('event_journal_ordering_seq'),
  persistence_id VARCHAR(255) NOT NULL,
  sequence_number BIGINT NOT NULL,
  deleted BOOLEAN DEFAULT FALSE NOT NULL,
  writer VARCHAR(255) NOT NULL,
  write_timestamp BIGINT,
  adapter_manifest VARCHAR(255),
  event_ser_id INTEGER NOT NULL,
  event_ser_manifest VARCHAR(255) NOT NULL,
  event_payload BYTEA NOT NULL,
  meta_ser_id INTEGER,
  meta_ser_manifest VARCHAR(255),
  meta_payload BYTEA,
  PRIMARY KEY (persistence_id, sequence_number)
);

CREATE UNIQUE INDEX IF NOT EXISTS event_journal_ordering_idx ON event_journal (ordering);

CREATE TABLE IF NOT EXISTS event_tag (
  event_id BIGINT,
  tag VARCHAR(256),
  PRIMARY KEY (event_id, tag),
  CONSTRAINT fk_event_journal FOREIGN KEY (event_id) REFERENCES event_journal (ordering) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS snapshot (
  persistence_id VARCHAR(255) NOT NULL,
  sequence_number BIGINT NOT NULL,
  created BIGINT NOT NULL,
  snapshot_ser_id INTEGER NOT NULL,
  snapshot_ser_manifest VARCHAR(255) NOT NULL,
  snapshot_payload BYTEA NOT NULL,
  meta_ser_id INTEGER,
  meta_ser_manifest VARCHAR(255),
  meta_payload BYTEA,
  PRIMARY KEY (persistence_id, sequence_number)
);

-- Read model kept by the stream-processor. Columns as in the order JSON, plus
-- updated_on and last_event_seq (the journal sequence number of the last event applied).
CREATE TABLE IF NOT EXISTS orders (
  order_id VARCHAR(128) PRIMARY KEY,
  customer_id VARCHAR(128) NOT NULL,
  restaurant_id VARCHAR(128) NOT NULL,
  status VARCHAR(16) NOT NULL,
  created_on BIGINT NOT NULL,
  amount NUMERIC(18, 2) NOT NULL,
  payment_id VARCHAR(128),
  reason VARCHAR(512),
  updated_on BIGINT NOT NULL,
  last_event_seq BIGINT NOT NULL
);

-- Columns added later: in place on existing databases, as for new ones. (view/ReadModelRebuild
-- creates the same tables under other names: keep both in step; ReadModelRebuildIT checks it.)
ALTER TABLE orders ADD COLUMN IF NOT EXISTS currency VARCHAR(3) NOT NULL DEFAULT 'USD';
ALTER TABLE orders ADD COLUMN IF NOT EXISTS refund_id VARCHAR(128);

CREATE INDEX IF NOT EXISTS orders_status_idx ON orders (status, created_on);
CREATE INDEX IF NOT EXISTS orders_customer_idx ON orders (customer_id, created_on);

CREATE TABLE IF NOT EXISTS order_items (
  order_id VARCHAR(128) NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
  line_no INTEGER NOT NULL,
  code VARCHAR(128) NOT NULL,
  name VARCHAR(256) NOT NULL,
  unit_price NUMERIC(12, 2) NOT NULL,
  quantity INTEGER NOT NULL,
  PRIMARY KEY (order_id, line_no)
);

-- gRPC EventStore: where each event of a generic aggregate stream lives in the journal, for
-- GetEvents by event_id and by aggregate_id. Written after the append; the journal stays the
-- source of truth (a retried CreateEvent heals an entry lost to a crash in between).
CREATE TABLE IF NOT EXISTS event_index (
  event_id VARCHAR(128) NOT NULL,
  persistence_id VARCHAR(255) NOT NULL,
  aggregate_id VARCHAR(128) NOT NULL,
  aggregate_type VARCHAR(64) NOT NULL,
  seq_nr BIGINT NOT NULL,
  PRIMARY KEY (event_id, persistence_id)
);

CREATE INDEX IF NOT EXISTS event_index_aggregate_idx ON event_index (aggregate_id);
