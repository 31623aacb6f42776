import type { Locator, Page } from 'playwright-core';
import { ConsolePage } from './console.page.js';

export class UsersPage extends ConsolePage {
  constructor(page: Page) {
    super(page);
  }

  async goto(query = ''): Promise<this> {
    await this.page.goto(`/console/users${query}`);
    return this;
  }

  async search(text: string, options: { status?: 'All' | 'Active' | 'Suspended'; source?: 'All' | 'Provisioned' | 'Manual' } = {}): Promise<void> {
    await this.page.getByLabel('Search').fill(text);
    if (options.status) await this.page.getByLabel('Status').selectOption({ label: options.status });
    if (options.source) await this.page.getByLabel('Source').selectOption({ label: options.source });
    await this.page.getByRole('button', { name: 'Apply' }).click();
    await this.page.waitForLoadState();
  }

  /** The table row of the user with this userName (shown as the name, its sub-line or the email). */
  row(userName: string): Locator {
    return this.page.getByRole('row').filter({ has: this.page.getByRole('cell', { name: userName }) });
  }

  async openUser(displayName: string): Promise<void> {
    await this.page.getByRole('link', { name: displayName, exact: true }).click();
  }
}

export class UserPage extends ConsolePage {
  constructor(page: Page) {
    super(page);
  }

  /** Deactivate user → the confirmation page → Deactivate user. */
  async deactivate(): Promise<void> {
    await this.page.getByRole('link', { name: 'Deactivate user' }).click();
    await this.page.getByRole('heading', { name: /^Deactivate .+\?$/ }).waitFor();
    await this.page.getByRole('button', { name: 'Deactivate user' }).click();
    await this.page.getByText(/was deactivated/).waitFor();
  }

  async reactivate(): Promise<void> {
    await this.page.getByRole('button', { name: 'Reactivate user' }).click();
    await this.page.getByText(/was reactivated/).waitFor();
  }

  attribute(path: string): Locator {
    return this.page.getByRole('row', { name: new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')}\\b`) }).getByRole('cell');
  }
}
