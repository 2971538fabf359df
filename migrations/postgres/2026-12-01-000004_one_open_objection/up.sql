-- At most one open objection per body and evaluation: each blocks finalisation until answered,
-- so a body filing many would hold the whole year up. The domain checks it inside the write
-- transaction; this index refuses the loser of two concurrent filings (PostgreSQL does not
-- serialise them). A database that already holds two open objections of one body to one
-- evaluation must have one answered before this migration runs:
--   SELECT evaluation_id, body_id, COUNT(*) FROM objections WHERE status = 'open'
--   GROUP BY evaluation_id, body_id HAVING COUNT(*) > 1;
CREATE UNIQUE INDEX objections_one_open ON objections (evaluation_id, body_id) WHERE status = 'open';
