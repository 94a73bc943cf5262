//! Company members. Typing a company's NIP does not make an account part of the company:
//! the first account of a company is its first member, later ones wait until a member of
//! the company or an admin approves them. Payment terms and invoices in the company's name
//! go to approved members only; company prices only once the company is verified as well.

use anyhow::Context;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Error;
use crate::Services;
use crate::shared::{CustomerType, UserId};

/// Where a corporate account stands with its company.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// A member: company terms and invoices.
    Approved,
    /// Waiting for a member or an admin.
    Pending,
    /// Turned down; shops as a private customer would.
    Rejected,
}

impl Membership {
    /// `approved`, `pending` or `rejected`.
    pub fn as_str(self) -> &'static str {
        match self {
            Membership::Approved => "approved",
            Membership::Pending => "pending",
            Membership::Rejected => "rejected",
        }
    }

    /// From the account's two timestamps.
    pub fn of(approved: bool, rejected: bool) -> Membership {
        match (approved, rejected) {
            (true, _) => Membership::Approved,
            (false, true) => Membership::Rejected,
            (false, false) => Membership::Pending,
        }
    }
}

/// The prices and minimum quantities an account buys at: the company's only for an
/// approved member of a company the VAT register has verified.
pub fn price_list(
    account: CustomerType,
    membership: Option<Membership>,
    company_verified: bool,
) -> CustomerType {
    if account == CustomerType::Corporate
        && membership == Some(Membership::Approved)
        && company_verified
    {
        CustomerType::Corporate
    } else {
        CustomerType::Individual
    }
}

/// [`price_list`] from the two facts a query reads: whether the account is an approved
/// member of its company and whether that company is verified.
pub fn price_list_for(
    account: CustomerType,
    approved_member: bool,
    company_verified: bool,
) -> CustomerType {
    let membership = approved_member.then_some(Membership::Approved);
    price_list(account, membership, company_verified)
}

/// An account of a company, as its members and admins see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Account id.
    pub id: UserId,
    /// "First Last", when given.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Where it stands.
    pub membership: Membership,
    /// When the account gave the company's NIP.
    pub joined_at: Option<DateTime<Utc>>,
}

/// Who approves or turns down a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decider {
    /// An approved member of the same company.
    Member(UserId),
    /// A shop admin: any company, and may also revoke an approved member.
    Admin(UserId),
}

/// Approve, or turn down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Make the account a member.
    Approve,
    /// Turn it down (or, for admins, take membership away).
    Reject,
}

impl Decision {
    /// `approve` or `reject`.
    pub fn from_code(text: &str) -> Option<Decision> {
        match text.trim() {
            "approve" | "approved" => Some(Decision::Approve),
            "reject" | "rejected" => Some(Decision::Reject),
            _ => None,
        }
    }
}

/// The company an account gave the NIP of, and whether it is an approved member.
async fn company_of(svc: &Services, user: UserId) -> Result<Option<(Uuid, bool)>, Error> {
    let row = sqlx::query!(
        r#"
        select company_id, company_approved_at is not null as "approved!" from users
         where id = $1 and deleted_at is null and customer_type = 'corporate'
        "#,
        user as _
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to load the member")?;
    Ok(row.and_then(|r| r.company_id.map(|c| (c, r.approved))))
}

fn not_a_member() -> Error {
    Error::Forbidden(
        "only an approved member of the company can see and approve its members".into(),
    )
}

/// Every account that gave the company's NIP, pending first.
async fn members_of(
    svc: &Services,
    company: Uuid,
    only: Option<UserId>,
) -> Result<Vec<Member>, Error> {
    let rows = sqlx::query!(
        r#"
        select id, phone, email, nullif(concat_ws(' ', first_name, last_name), '') as name,
               company_approved_at is not null as "approved!",
               company_rejected_at is not null as "rejected!",
               profile_completed_at as "joined_at: DateTime<Utc>"
          from users
         where company_id = $1 and deleted_at is null and ($2::uuid is null or id = $2)
         order by company_approved_at is not null, profile_completed_at desc, id
        "#,
        company,
        only as _,
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to list the company's members")?;
    Ok(rows
        .into_iter()
        .map(|r| Member {
            id: r.id.into(),
            name: r.name,
            phone: r.phone,
            email: r.email,
            membership: Membership::of(r.approved, r.rejected),
            joined_at: r.joined_at,
        })
        .collect())
}

/// The accounts of the company `member` belongs to, for an approved member.
pub async fn company_members(svc: &Services, member: UserId) -> Result<Vec<Member>, Error> {
    match company_of(svc, member).await? {
        Some((company, true)) => members_of(svc, company, None).await,
        _ => Err(not_a_member()),
    }
}

/// Approves or turns down `account`'s membership of its company. A member decides for
/// accounts of their own company that are not members yet; an admin for anyone.
#[tracing::instrument(skip(svc), err(level = "info"))]
pub async fn decide_membership(
    svc: &Services,
    decider: Decider,
    account: UserId,
    decision: Decision,
) -> Result<Member, Error> {
    let company = sqlx::query!(
        r#"
        select company_id as "company_id!", company_approved_at is not null as "approved!"
          from users
         where id = $1 and deleted_at is null and company_id is not null
        "#,
        account as _
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to load the account")?
    .ok_or(Error::NotFound)?;
    let decided_by = match decider {
        Decider::Admin(admin) => admin,
        Decider::Member(member) => {
            // Accounts of other companies stay invisible.
            match company_of(svc, member).await? {
                Some((own, approved)) if own == company.company_id => {
                    if !approved {
                        return Err(not_a_member());
                    }
                }
                _ => return Err(Error::NotFound),
            }
            if member == account {
                return Err(Error::invalid("member", "you cannot decide about yourself"));
            }
            if company.approved && decision == Decision::Reject {
                return Err(Error::Conflict(
                    "an approved member can only be removed by the shop".into(),
                ));
            }
            member
        }
    };
    let approve = decision == Decision::Approve;
    sqlx::query!(
        r#"
        update users
           set company_approved_at = case when $2 then coalesce(company_approved_at, now()) end,
               company_approved_by = case when $2 then coalesce(company_approved_by, $3) end,
               company_rejected_at = case when $2 then null else coalesce(company_rejected_at, now()) end
         where id = $1
        "#,
        account as _,
        approve,
        decided_by as _,
    )
    .execute(&svc.db)
    .await
    .context("Failed to record the decision")?;
    tracing::info!(%account, ?decision, by = %decided_by, "company membership decided");
    members_of(svc, company.company_id, Some(account))
        .await?
        .pop()
        .ok_or(Error::NotFound)
}

/// Makes `account` the company's member when the company has none yet (it brought the
/// company in). Runs in the caller's transaction, which locks the company row so that two
/// first accounts at once cannot both become members.
pub(super) async fn admit_if_first(
    tx: &mut sqlx::PgConnection,
    company: Uuid,
    account: UserId,
) -> Result<(), Error> {
    sqlx::query!("select id from companies where id = $1 for update", company)
        .fetch_one(&mut *tx)
        .await
        .context("Failed to lock the company")?;
    sqlx::query!(
        r#"
        update users set company_approved_at = now(), company_rejected_at = null
         where id = $1
           and not exists (select 1 from users m
                            where m.company_id = $2 and m.id <> $1 and m.deleted_at is null
                              and m.company_approved_at is not null)
        "#,
        account as _,
        company,
    )
    .execute(&mut *tx)
    .await
    .context("Failed to admit the company's first member")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_prices_need_an_approved_member_of_a_verified_company() {
        use CustomerType::{Corporate, Individual};
        use Membership::{Approved, Pending, Rejected};
        assert_eq!(price_list(Corporate, Some(Approved), true), Corporate);
        assert_eq!(price_list(Corporate, Some(Approved), false), Individual);
        assert_eq!(price_list(Corporate, Some(Pending), true), Individual);
        assert_eq!(price_list(Corporate, Some(Rejected), true), Individual);
        assert_eq!(price_list(Individual, None, false), Individual);
    }
}
