-- CEL operators over jsonb, for migration expressions that PostgreSQL evaluates (io.docshift.migration.cel.CelSql).
-- SQL NULL stands for a CEL error (a missing field, a wrong type): it propagates, and and/or absorb it as CEL does.
-- Numbers are doubles, as CEL sees JSON; strings compare by code point ("C"), as CEL compares them.

create function cel_bool(a jsonb) returns boolean language sql immutable parallel safe as $$
    select case when jsonb_typeof(a) = 'boolean' then a = 'true'::jsonb end
$$;

create function cel_cmp(a jsonb, b jsonb) returns int language sql immutable parallel safe as $$
    select case
        when jsonb_typeof(a) = 'number' and jsonb_typeof(b) = 'number'
            then sign((a #>> '{}')::float8 - (b #>> '{}')::float8)::int
        when jsonb_typeof(a) = 'string' and jsonb_typeof(b) = 'string'
            then case when (a #>> '{}') collate "C" < (b #>> '{}') collate "C" then -1
                      when (a #>> '{}') collate "C" > (b #>> '{}') collate "C" then 1 else 0 end
        when jsonb_typeof(a) = 'boolean' and jsonb_typeof(b) = 'boolean'
            then case when a < b then -1 when a > b then 1 else 0 end
    end
$$;
create function cel_lt(a jsonb, b jsonb) returns boolean language sql immutable parallel safe as $$ select docshift.cel_cmp(a, b) < 0 $$;
create function cel_le(a jsonb, b jsonb) returns boolean language sql immutable parallel safe as $$ select docshift.cel_cmp(a, b) <= 0 $$;
create function cel_gt(a jsonb, b jsonb) returns boolean language sql immutable parallel safe as $$ select docshift.cel_cmp(a, b) > 0 $$;
create function cel_ge(a jsonb, b jsonb) returns boolean language sql immutable parallel safe as $$ select docshift.cel_cmp(a, b) >= 0 $$;

create function cel_num(a jsonb) returns float8 language sql immutable parallel safe as $$
    select case when jsonb_typeof(a) = 'number' then (a #>> '{}')::float8 end
$$;
create function cel_add(a jsonb, b jsonb) returns jsonb language sql immutable parallel safe as $$
    select case
        when jsonb_typeof(a) = 'number' and jsonb_typeof(b) = 'number' then to_jsonb(docshift.cel_num(a) + docshift.cel_num(b))
        when jsonb_typeof(a) = 'string' and jsonb_typeof(b) = 'string' then to_jsonb((a #>> '{}') || (b #>> '{}'))
        when jsonb_typeof(a) = 'array' and jsonb_typeof(b) = 'array' then a || b
    end
$$;
create function cel_sub(a jsonb, b jsonb) returns jsonb language sql immutable parallel safe as $$
    select to_jsonb(docshift.cel_num(a) - docshift.cel_num(b))
$$;
create function cel_mul(a jsonb, b jsonb) returns jsonb language sql immutable parallel safe as $$
    select to_jsonb(docshift.cel_num(a) * docshift.cel_num(b))
$$;
-- x / 0.0 is infinite in CEL, and infinity has no JSON form: an error either way
create function cel_div(a jsonb, b jsonb) returns jsonb language sql immutable parallel safe as $$
    select to_jsonb(docshift.cel_num(a) / nullif(docshift.cel_num(b), 0))
$$;
create function cel_neg(a jsonb) returns jsonb language sql immutable parallel safe as $$
    select to_jsonb(- docshift.cel_num(a))
$$;

create function cel_size(a jsonb) returns jsonb language sql immutable parallel safe as $$
    select case jsonb_typeof(a)
        when 'string' then to_jsonb(char_length(a #>> '{}'))
        when 'array' then to_jsonb(jsonb_array_length(a))
        when 'object' then (select to_jsonb(count(*)) from jsonb_object_keys(a))
    end
$$;
create function cel_starts(a jsonb, b jsonb) returns boolean language sql immutable parallel safe as $$
    select case when jsonb_typeof(a) = 'string' and jsonb_typeof(b) = 'string' then starts_with(a #>> '{}', b #>> '{}') end
$$;
create function cel_ends(a jsonb, b jsonb) returns boolean language sql immutable parallel safe as $$
    select case when jsonb_typeof(a) = 'string' and jsonb_typeof(b) = 'string'
                then right(a #>> '{}', char_length(b #>> '{}')) = (b #>> '{}') or char_length(b #>> '{}') = 0 end
$$;
create function cel_contains(a jsonb, b jsonb) returns boolean language sql immutable parallel safe as $$
    select case when jsonb_typeof(a) = 'string' and jsonb_typeof(b) = 'string' then strpos(a #>> '{}', b #>> '{}') > 0 end
$$;
