import { expect, test } from "@playwright/test";

test("home page lists seeded products and hydrates", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });

  await page.goto("/?lang=pl");

  await expect(page.getByRole("heading", { level: 1, name: "Metropolitan" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 3, name: "Mleko 3,2% 1 l" })).toBeVisible();
  expect(await page.locator(".product-card").count()).toBeGreaterThanOrEqual(20);

  // The quantity buttons only work once the wasm has hydrated the page.
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const card = page.locator(".product-card", { has: page.locator(".quantity") }).first();
  const quantity = card.getByRole("spinbutton", { name: "Ilość" });
  await expect(quantity).toHaveValue("1");
  await expect(card.getByRole("button", { name: "Zmniejsz ilość" })).toBeDisabled();
  await card.getByRole("button", { name: "Zwiększ ilość" }).click();
  await card.getByRole("button", { name: "Zwiększ ilość" }).click();
  await expect(quantity).toHaveValue("3");
  await card.getByRole("button", { name: "Zmniejsz ilość" }).click();
  await expect(quantity).toHaveValue("2");

  expect(errors, errors.join("\n")).toEqual([]);
});

test("the language switch renders the shop in English and remembers it", async ({ page }) => {
  await page.goto("/?lang=pl");
  await page.getByRole("link", { name: /EN/ }).click();
  await expect(page).toHaveURL(/lang=en/);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { level: 3, name: "Milk 3.2% 1 l" })).toBeVisible();

  // The cookie keeps English on the next visit without ?lang=.
  await page.goto("/");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("button", { name: "Search" })).toBeVisible();
});

test("an unknown address shows the 404 page with a way home", async ({ page }) => {
  const response = await page.goto("/no-such-page?lang=tr");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Sayfa bulunamadı" })).toBeVisible();
  await page.getByRole("link", { name: "Ana sayfaya dön" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Metropolitan" })).toBeVisible();
});
