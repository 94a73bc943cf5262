import { expect, test } from "@playwright/test";

test("browse a category, filter it, open a product", async ({ page }) => {
  await page.goto("/?lang=en");
  await page.getByRole("navigation", { name: "Categories" }).getByRole("link", { name: "Dairy and eggs" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dairy and eggs" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Butter 82% 200 g" })).toBeVisible();

  // The filter form is a plain GET form: the URL carries the filters.
  await page.getByLabel("Brand").fill("Łaciate");
  await page.getByLabel("Sort by").selectOption("price_asc");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/brand=%C5%81aciate/);
  await expect(page).toHaveURL(/sort=price_asc/);
  const names = page.locator(".product-card h3");
  await expect(names).toHaveText(["Butter 82% 100 g", "Butter 82% 200 g"]);

  await page.getByRole("link", { name: "Butter 82% 200 g" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Butter 82% 200 g" })).toBeVisible();
  await expect(page.getByText("PLN\u00a07.99")).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Dairy and eggs" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "From the same category" })).toBeVisible();
});

test("search from the header, forgiving diacritics and typos", async ({ page }) => {
  await page.goto("/?lang=pl");
  const box = page.getByRole("searchbox", { name: "Szukaj produktów" });
  await box.fill("maslo");
  await box.press("Enter");
  await expect(page).toHaveURL(/\/search\?q=maslo/);
  await expect(page.getByRole("link", { name: "Masło extra 82% 200 g" })).toBeVisible();

  await page.goto("/search?q=mlekko&lang=pl");
  await expect(page.getByRole("link", { name: "Mleko 3,2% 1 l" })).toBeVisible();
});

test("the header search suggests products while typing once hydrated", async ({ page }) => {
  await page.goto("/?lang=pl");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("searchbox", { name: "Szukaj produktów" }).pressSequentially("mas", { delay: 50 });
  const suggestions = page.getByRole("list", { name: "Podpowiedzi" });
  await expect(suggestions.getByRole("link", { name: "Masło extra 82% 200 g" })).toBeVisible();
  await suggestions.getByRole("link", { name: "Masło extra 82% 200 g" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Masło extra 82% 200 g" })).toBeVisible();
});
