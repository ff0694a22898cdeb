-- Issue 18: program branding. The image itself lives in the api's storage (STORAGE_KIND: a
-- directory or an S3 bucket) under storage_key; this row says which object is current, so a
-- replaced logo is never half-visible and the old object can be removed after the switch.
create table program_logo (
    program_id uuid primary key references program (id) on delete cascade,
    storage_key varchar not null,
    content_type varchar not null check (content_type in ('image/png', 'image/jpeg')),
    byte_size integer not null check (byte_size > 0),
    width integer not null check (width > 0),
    height integer not null check (height > 0),
    sha256 varchar not null check (length(sha256) = 64),
    updated_at timestamptz not null
);
