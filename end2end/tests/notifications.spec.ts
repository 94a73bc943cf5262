import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { expect, type Page, test } from "@playwright/test";

import { randomMobile, signInByPhone } from "./helpers";

// scripts/e2e.sh runs a real SMTP server (scripts/smtp-sink.py) and points the shop at it;
// every message it accepts lands in MAIL_DIR as decoded JSON.
const MAIL_DIR = process.env.MAIL_DIR ?? "";

type Mail = {
  rcpt_tos: string[];
  subject: string;
  text: string;
  attachments: { filename: string; content_type: string; head: string }[];
};

function mailTo(address: string): Mail[] {
  return readdirSync(MAIL_DIR)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(MAIL_DIR, name), "utf8")) as Mail)
    .filter((mail) => mail.rcpt_tos.includes(address));
}

/** Waits until `address` has received a message whose subject contains `words`. */
async function waitForMail(address: string, words: string): Promise<Mail> {
  let found: Mail | undefined;
  await expect
    .poll(
      () => {
        found = mailTo(address).find((mail) => mail.subject.includes(words));
        return found !== undefined;
      },
      { timeout: 20_000, message: `a message "${words}" to ${address}` },
    )
    .toBe(true);
  return found as Mail;
}

async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

test("a shopper confirms the e-mail, orders and pays, and hears about it by e-mail and in the inbox", async ({
  page,
  request,
}) => {
  test.skip(MAIL_DIR === "", "needs the SMTP server of scripts/e2e.sh");
  const address = `zeynep.${Date.now()}@example.com`;

  // Sign up with an e-mail address: it gets a confirmation link and nothing else.
  await signInByPhone(page, request, randomMobile());
  await expect(page).toHaveURL(/\/account\/complete/);
  await page.getByLabel("First name").fill("Zeynep");
  await page.getByLabel("Last name").fill("Kaya");
  await page.getByRole("textbox", { name: "E-mail" }).fill(address);
  await page.getByRole("checkbox", { name: /I accept the terms/ }).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("email-unconfirmed")).toBeVisible();
  const confirmation = await waitForMail(address, "Confirm your e-mail address");
  const link = confirmation.text.match(/\/account\/confirm-email\?token=[A-Za-z0-9_-]+/)?.[0];
  expect(link).toBeTruthy();
  await page.goto(`${link}&lang=en`);
  await expect(page).toHaveURL(/\/account\?email=confirmed/);
  await expect(page.getByTestId("email-confirmed")).toHaveText("Your e-mail address is confirmed.");
  await expect(page.getByTestId("email-unconfirmed")).toHaveCount(0);

  // Order and pay through the development gateway.
  await page.goto("/p/kefir-400ml?lang=en");
  await hydrated(page);
  await page.getByRole("button", { name: "Add to cart – Kefir 400 ml" }).click();
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  await page.goto("/checkout?lang=en");
  await hydrated(page);
  await page.getByLabel("Recipient").fill("Zeynep Kaya");
  await page.getByLabel("Street and number").fill("ul. Świętokrzyska 11");
  await page.getByLabel("Postal code").fill("00-049");
  await page.getByLabel("City").fill("Warszawa");
  await page.getByRole("checkbox", { name: /I accept the terms/ }).check();
  await page.getByRole("button", { name: "Order with obligation to pay" }).click();
  await expect(page).toHaveURL(/\/pay\/dev\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await page.getByRole("button", { name: "Pay (succeeds)" }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("order-status")).toHaveText("paid");

  // The confirmation and the paid notice (with the invoice) arrive by e-mail.
  const placed = await waitForMail(address, "received");
  expect(placed.text).toContain("Kefir 400 ml");
  expect(placed.text).toContain("ul. Świętokrzyska 11");
  const paid = await waitForMail(address, "paid");
  const invoice = paid.attachments.find((a) => a.content_type === "application/pdf");
  expect(invoice?.head.startsWith("%PDF")).toBe(true);

  // The inbox shows both; the header count drops once they are read.
  await page.goto("/account/notifications?lang=en");
  await hydrated(page);
  await expect(page.getByTestId("notification")).toHaveCount(2);
  await expect(page.getByTestId("notification-count")).toHaveText("2");
  await page.getByTestId("mark-all-read").click();
  await expect(page.getByTestId("mark-all-read")).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId("notification")).toHaveCount(2);
  await expect(page.getByTestId("notification-count")).toHaveCount(0);

  // News and offers are off until chosen; order notices keep a channel.
  await page.goto("/account/notifications/settings?lang=en");
  await hydrated(page);
  await expect(page.getByTestId("state-marketing-email")).toHaveText("off");
  await page.getByRole("button", { name: "Switch on – News and offers – E-mail" }).click();
  await expect(page.getByTestId("state-marketing-email")).toHaveText("on");
  await page.getByRole("button", { name: "Switch off – Orders and payments – E-mail" }).click();
  await expect(page.getByTestId("state-orders-email")).toHaveText("off");
  await page.getByRole("button", { name: "Switch off – Orders and payments – Inbox in the shop" }).click();
  await expect(page.getByRole("alert")).toContainText("keep at least one");
  await expect(page.getByTestId("state-orders-in_app")).toHaveText("on");
});
