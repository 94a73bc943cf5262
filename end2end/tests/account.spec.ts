import { expect, test } from "@playwright/test";

import { codeFor, randomMobile, signInByPhone } from "./helpers";

// An 8×8 PNG; the server stores it as a 256×256 JPEG.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGM4YaOBFTEMLQkAdntLARs7+acAAAAASUVORK5CYII=",
  "base64",
);

test("a shopper signs in by phone, completes and edits the profile, adds an address and a photo", async ({
  page,
  request,
}) => {
  const phone = randomMobile();
  await signInByPhone(page, request, phone);
  await expect(page).toHaveURL(/\/account\/complete/);

  await page.getByLabel("First name").fill("Zeynep");
  await page.getByLabel("Last name").fill("Kaya");
  await page.getByRole("checkbox", { name: /I accept the terms/ }).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-phone")).toHaveText(phone.replace(/\s/g, ""));

  await page.getByLabel("Last name").fill("Kaya-Nowak");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  await page.reload();
  await expect(page.getByLabel("Last name")).toHaveValue("Kaya-Nowak");

  await page.goto("/account/addresses?lang=en");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Recipient").fill("Zeynep Kaya");
  await page.getByLabel("Street and number").fill("ul. Piotrkowska 12");
  await page.getByLabel("Postal code").fill("90001");
  await page.getByLabel("City").fill("Łódź");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert")).toContainText("postal_code");
  await page.getByLabel("Postal code").fill("90-001");
  await page.getByRole("button", { name: "Save" }).click();
  const address = page.getByTestId("address");
  await expect(address).toContainText("ul. Piotrkowska 12");
  await expect(address).toContainText("Default");

  await page.goto("/account?lang=en");
  await page.getByLabel("Choose a file").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: PNG });
  await page.getByRole("button", { name: "Upload photo", exact: true }).click();
  await expect(page).toHaveURL(/photo=saved/);
  const avatar = page.locator("img.avatar");
  await expect(avatar).toBeVisible();
  await expect.poll(() => avatar.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(256);

  // A file that only pretends to be a picture is refused with the reason.
  await page.getByLabel("Choose a file").setInputFiles({
    name: "photo.jpg",
    mimeType: "image/jpeg",
    buffer: Buffer.from("<?php echo 1; ?>"),
  });
  await page.getByRole("button", { name: "Upload photo", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText("PHP");
});

test("a wrong code says how many tries are left", async ({ page, request }) => {
  const phone = randomMobile();
  await page.goto("/login?lang=en");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Phone number").fill(phone);
  await page.getByRole("button", { name: "Send code" }).click();
  // The resend button waits out 30 seconds once hydrated.
  await expect(page.getByRole("button", { name: /Send again/ })).toBeDisabled();
  const code = await codeFor(request, phone);
  await page.getByLabel("Code from the SMS").fill(code === "000000" ? "111111" : "000000");
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong code. Tries left: 2");
});
