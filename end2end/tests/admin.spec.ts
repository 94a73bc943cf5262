import { expect, test } from "@playwright/test";

test("an admin signs in, edits a price, and the storefront shows it", async ({ page }) => {
  const email = process.env.ADMIN_EMAIL ?? "";
  const password = process.env.ADMIN_PASSWORD ?? "";
  expect(email, "scripts/e2e.sh passes the seeded admin").not.toBe("");

  await page.goto("/admin/products?lang=en");
  await expect(page.getByText("This page is for admins only.")).toBeVisible();

  await page.goto("/login?lang=en");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByText("Admin sign-in").click();
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/admin\/products/);

  await page.goto("/admin/products?q=kefir&lang=en");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const name = "Kefir 400 ml";
  await page.getByRole("textbox", { name: `Gross price (PLN) – ${name}` }).fill("3,49");
  await page.getByRole("button", { name: `Save – ${name}` }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");

  await page.goto("/p/kefir-400ml?lang=pl");
  await expect(page.getByText("3,49\u00a0zł").first()).toBeVisible();
});

test("an admin edits the terms with a preview and the page shows the new text", async ({ page }) => {
  await page.goto("/login?lang=en");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByText("Admin sign-in").click();
  await page.getByLabel("E-mail").fill(process.env.ADMIN_EMAIL ?? "");
  await page.getByLabel("Password").fill(process.env.ADMIN_PASSWORD ?? "");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/admin\/products/);

  await page.goto("/admin/content?page=terms&edit_lang=en&lang=en");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByRole("region", { name: "Preview" }).getByRole("heading", { name: "1. General" })).toBeVisible();

  await page.getByLabel("Title").fill("Terms of sale");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");

  await page.goto("/terms?lang=en");
  await expect(page.getByRole("heading", { level: 1, name: "Terms of sale" })).toBeVisible();
});

// An 8×8 PNG; the server stores it fitted, as JPEG.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGM4YaOBFTEMLQkAdntLARs7+acAAAAASUVORK5CYII=",
  "base64",
);

test("an admin edits a product's English name and adds a picture", async ({ page }) => {
  await page.goto("/login?lang=en");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByText("Admin sign-in").click();
  await page.getByLabel("E-mail").fill(process.env.ADMIN_EMAIL ?? "");
  await page.getByLabel("Password").fill(process.env.ADMIN_PASSWORD ?? "");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/admin\/products/);

  await page.goto("/admin/products/edit?sku=MT-0109-1&lang=en");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Name (en)").fill("Sour cream 18% – farm");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page).toHaveURL(/saved=1/);

  await page.getByLabel("Choose a file").setInputFiles({ name: "cream.png", mimeType: "image/png", buffer: PNG });
  await page.getByRole("button", { name: "Upload photo" }).click();
  await expect(page).toHaveURL(/image=saved/);
  await expect(page.locator(".image-list img")).toHaveCount(2);

  const product = await page.request.get("/api/v1/products?q=farm&lang=en");
  expect(JSON.stringify(await product.json())).toContain("Sour cream 18% – farm");
});
