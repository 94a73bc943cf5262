import { expect, type APIRequestContext, type Page, test } from "@playwright/test";

import { randomMobile, signInByPhone } from "./helpers";

/** A guest adds the first two products of the home page, sets the first to 3 on the cart
 * page, signs in, and finds the cart carried over. */
async function guestCartCarriesOver(page: Page, request: APIRequestContext, hydrated: boolean) {
  await page.goto("/?lang=en");
  if (hydrated) {
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  }
  const addButtons = page.getByRole("button", { name: /^Add to cart – / });
  const first = (await addButtons.nth(0).getAttribute("aria-label"))?.replace("Add to cart – ", "") ?? "";
  const second = (await addButtons.nth(1).getAttribute("aria-label"))?.replace("Add to cart – ", "") ?? "";
  await addButtons.nth(0).click();
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  await page.getByRole("button", { name: `Add to cart – ${second}` }).click();
  await expect(page.getByTestId("cart-count")).toHaveText("2");

  await page.goto("/cart?lang=en");
  if (hydrated) {
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  }
  const line = page.getByTestId("cart-line").filter({ hasText: first });
  await line.getByRole("spinbutton").fill("3");
  await line.getByRole("button", { name: "Update" }).click();
  await expect(page.getByTestId("cart-count")).toHaveText("4");
  await expect(page.getByTestId("cart-line")).toHaveCount(2);

  await signInByPhone(page, request, randomMobile(), hydrated);
  await expect(page).toHaveURL(/\/account\/complete/);
  await page.goto("/cart?lang=en");
  await expect(page.getByTestId("cart-line")).toHaveCount(2);
  await expect(page.getByTestId("cart-line").filter({ hasText: first }).getByRole("spinbutton")).toHaveValue("3");
  await expect(page.getByTestId("cart-line").filter({ hasText: second }).getByRole("spinbutton")).toHaveValue("1");
  await expect(page.getByTestId("cart-count")).toHaveText("4");
  await expect(page.getByTestId("total")).toContainText("PLN");
}

test("a guest's cart carries over at sign-in", async ({ page, request }) => {
  await guestCartCarriesOver(page, request, true);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a guest's cart carries over at sign-in", async ({ page, request }) => {
    await guestCartCarriesOver(page, request, false);
  });
});

test("a product page adds to favorites, and the favorites page lists it", async ({ page }) => {
  await page.goto("/p/kefir-400ml?lang=en");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("button", { name: "Add to favorites – Kefir 400 ml" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  await page.goto("/account/favorites?lang=en");
  await expect(page.getByTestId("favorite")).toContainText("Kefir 400 ml");
});
