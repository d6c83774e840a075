-- Idempotency keys of inserts (Idempotency-Key, the IETF httpapi draft): the first request with a key stores its
-- response in the transaction of its insert; a retry with the same key and body, on any pod, gets that response
-- and stores nothing new. Keys are per API key (scope) and expire after docshift.documents.idempotency-window.
create table idempotency_key (
    scope        text not null,
    key          text not null,
    request_hash text not null,
    created_at   timestamptz not null default now(),
    status       int,
    location     text,
    etag         text,
    body         text,
    primary key (scope, key)
);
create index idempotency_key_by_age on idempotency_key (created_at);
