import type { Locator, Page } from 'playwright-core';
import { ConsolePage } from './console.page.js';

export class ActivityPage extends ConsolePage {
  constructor(page: Page) {
    super(page);
  }

  async goto(errorsOnly = false): Promise<this> {
    await this.page.goto(errorsOnly ? '/console/activity?errors=1' : '/console/activity');
    return this;
  }

  /** Data rows, newest first. */
  get rows(): Locator {
    return this.page.getByRole('table').getByRole('row').filter({ has: this.page.getByRole('cell') });
  }

  async showErrorsOnly(): Promise<void> {
    await this.page.getByRole('link', { name: 'Errors only' }).click();
    await this.page.waitForLoadState();
  }

  async openRow(index: number): Promise<void> {
    await this.rows.nth(index).getByRole('link', { name: /details of / }).click();
  }
}
