import { expect, type APIRequestContext, type Page, test } from "@playwright/test";

import { randomMobile, signInByPhone } from "./helpers";

async function ready(page: Page, hydrated: boolean) {
  if (hydrated) {
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  }
}

/** A new customer signs in, adds kefir, checks out to a new address with a company
 * invoice, pays through the development gateway (a failed attempt first), and finds the
 * paid order with its invoice on its page and in the account. */
async function checkOut(page: Page, request: APIRequestContext, hydrated: boolean) {
  await signInByPhone(page, request, randomMobile(), hydrated);
  await expect(page).toHaveURL(/\/account\/complete/);
  await page.getByLabel("First name").fill("Zeynep");
  await page.getByLabel("Last name").fill("Kaya");
  await page.getByRole("checkbox", { name: /I accept the terms/ }).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(/\/account$/);

  await page.goto("/p/kefir-400ml?lang=en");
  await ready(page, hydrated);
  await page.getByRole("button", { name: "Add to cart – Kefir 400 ml" }).click();
  await expect(page.getByTestId("cart-count")).toHaveText("1");

  await page.goto("/cart?lang=en");
  await ready(page, hydrated);
  const total = (await page.getByTestId("total").innerText()).trim();
  await page.getByTestId("go-to-checkout").click();
  await expect(page).toHaveURL(/\/checkout/);
  await ready(page, hydrated);
  await expect(page.getByTestId("checkout-line")).toHaveCount(1);
  await expect(page.getByTestId("checkout-total")).toHaveText(total);

  await page.getByLabel("Recipient").fill("Zeynep Kaya");
  await page.getByLabel("Street and number").fill("ul. Świętokrzyska 11");
  await page.getByLabel("Postal code").fill("00-049");
  await page.getByLabel("City").fill("Warszawa");
  await page.getByLabel("Phone number").fill("+48 501 222 333");
  await page.getByLabel("Company name").fill("Şirket Gıda Sp. z o.o.");
  await page.getByLabel("NIP (tax number)").fill("123-456-32-18");
  // The terms are never ticked in advance: the browser does not send the form without them,
  // and the server refuses a request that comes without them anyway.
  const order = page.getByRole("button", { name: "Order with obligation to pay" });
  const terms = page.getByRole("checkbox", { name: /I accept the terms/ });
  await expect(terms).not.toBeChecked();
  await order.click();
  await expect(page).toHaveURL(/\/checkout/);
  if (hydrated) {
    await terms.evaluate((box) => box.removeAttribute("required"));
    await order.click();
    await expect(
      page.getByRole("alert").filter({ hasText: "Accept the terms of sale and the privacy policy" }),
    ).toBeVisible();
    await expect(page).toHaveURL(/\/checkout/);
  }
  await terms.check();
  await order.click();

  // The development gateway stands in for Stripe: it fails once, then pays.
  await expect(page).toHaveURL(/\/pay\/dev\/[0-9a-f-]{36}$/);
  await ready(page, hydrated);
  await expect(page.getByTestId("dev-amount")).toContainText(total);
  await page.getByRole("button", { name: "Fail the payment" }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await ready(page, hydrated);
  await expect(page.getByTestId("order-status")).toHaveText("awaiting payment");
  await expect(page.getByRole("alert")).toHaveText("The payment failed. You can try again.");
  await page.getByRole("button", { name: "Pay", exact: true }).click();
  await expect(page).toHaveURL(/\/pay\/dev\//);
  await ready(page, hydrated);
  await page.getByRole("button", { name: "Pay (succeeds)" }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);

  await expect(page.getByTestId("order-status")).toHaveText("paid");
  await expect(page.getByTestId("order-total")).toHaveText(total);
  await expect(page.locator("address").first()).toContainText("ul. Świętokrzyska 11");
  await expect(page.getByText("Şirket Gıda Sp. z o.o. · NIP 1234563218")).toBeVisible();
  // The header shows no count for an empty cart.
  await expect(page.getByTestId("cart-count")).toHaveCount(0);
  const invoice = page.getByTestId("invoice-link");
  await expect(invoice).toContainText(/FV\/\d{4}\/\d{6}/);
  const pdf = await page.request.get((await invoice.getAttribute("href")) ?? "");
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  expect((await pdf.body()).subarray(0, 4).toString()).toBe("%PDF");

  await page.goto("/account/orders?lang=en");
  await expect(page.getByTestId("order-row")).toHaveCount(1);
  await expect(page.getByTestId("order-row")).toContainText("paid");
}

test("a customer checks out, pays and downloads the invoice", async ({ page, request }) => {
  await checkOut(page, request, true);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a customer checks out, pays and downloads the invoice", async ({ page, request }) => {
    await checkOut(page, request, false);
  });
});
