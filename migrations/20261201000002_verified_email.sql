-- E-mails customers type are unverified until confirmed: an unverified e-mail is never used
-- to find an admin (`create-admin` would otherwise promote whoever typed the operator's
-- address first).
alter table users add column email_verified_at timestamptz;
-- Admins were made by operators with `create-admin`: their addresses count as confirmed.
update users set email_verified_at = now()
 where role = 'admin' and email is not null and password_hash is not null;

-- A changed address is unconfirmed again, whichever statement changes it.
create function users_email_unverified_on_change() returns trigger language plpgsql as $$
begin
    if new.email is distinct from old.email then
        new.email_verified_at := null;
    end if;
    return new;
end
$$;
create trigger users_email_unverified before update of email on users
    for each row execute function users_email_unverified_on_change();
