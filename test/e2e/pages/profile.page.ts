import type { Locator, Page } from 'playwright-core';
import { ConsolePage } from './console.page.js';

export class ProfilePage extends ConsolePage {
  constructor(page: Page) {
    super(page);
  }

  async goto(): Promise<this> {
    await this.page.goto('/console/profile');
    return this;
  }

  get keyName(): Locator {
    return this.page.getByLabel('Key name');
  }

  get generateButton(): Locator {
    return this.page.getByRole('button', { name: 'Generate API key' });
  }

  get newKeyField(): Locator {
    return this.page.getByRole('textbox', { name: 'Your new API key' });
  }

  async generateKey(name: string): Promise<void> {
    await this.keyName.fill(name);
    await this.generateButton.click();
    await this.newKeyField.waitFor();
  }

  /** Clicks Copy and returns what the clipboard holds afterwards. */
  async copyNewKey(): Promise<string> {
    await this.page.getByRole('button', { name: 'Copy Your new API key' }).click();
    await this.page.getByText('Copied to clipboard.').waitFor();
    return this.page.evaluate(() => navigator.clipboard.readText());
  }

  keyRow(name: string): Locator {
    return this.page.getByRole('row').filter({ has: this.page.getByRole('cell', { name, exact: true }) });
  }

  async revokeKey(name: string): Promise<void> {
    await this.page.getByRole('link', { name: `Revoke key ${name}` }).click();
    await this.page.getByRole('button', { name: 'Revoke key' }).click();
    await this.page.getByText(`The key “${name}” was revoked.`).waitFor();
  }
}
