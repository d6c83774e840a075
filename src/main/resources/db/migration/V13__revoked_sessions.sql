-- Dashboard sessions ended by signing out: a cookie replayed after its sign-out is refused by every pod, until the
-- cookie would have expired anyway (then its row is purged).
create table revoked_session (
    id         text primary key,
    expires_at timestamptz not null
);
