import { type APIRequestContext, expect, type Page } from "@playwright/test";

/** A random Polish mobile number, as a person would type it. */
export function randomMobile(): string {
  const digits = Array.from({ length: 7 }, () => Math.floor(Math.random() * 10)).join("");
  return `+48 50${digits.slice(0, 1)} ${digits.slice(1, 4)} ${digits.slice(4)}`;
}

/** The last code the log SMS gateway sent (the test-only route). */
export async function codeFor(request: APIRequestContext, phone: string): Promise<string> {
  const e164 = phone.replace(/\s/g, "");
  const response = await request.get(`/api/v1/test/otp?phone=${encodeURIComponent(e164)}`);
  expect(response.ok()).toBe(true);
  return (await response.json()).code;
}

/** Signs in on /login with a phone number and the code; works with and without JavaScript. */
export async function signInByPhone(page: Page, request: APIRequestContext, phone: string, hydrated = true) {
  await page.goto("/login?lang=en");
  if (hydrated) {
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  }
  await page.getByLabel("Phone number").fill(phone);
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByTestId("otp-phone")).toHaveText(phone.replace(/\s/g, ""));
  await page.getByLabel("Code from the SMS").fill(await codeFor(request, phone));
  await page.getByRole("button", { name: "Confirm" }).click();
}
