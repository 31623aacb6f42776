// The frame shared by every signed-in page: the left navigation and the Sign out button.
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export class ConsolePage {
  constructor(readonly page: Page) {}

  get nav(): Locator {
    return this.page.getByRole('navigation', { name: 'Console' });
  }

  heading(name: string | RegExp): Locator {
    return this.page.getByRole('heading', { level: 1, name });
  }

  async open(link: 'Dashboard' | 'Manage Users' | 'Groups' | 'Activity' | 'SCIM setup' | 'Sign-in log' | 'Profile'): Promise<void> {
    await this.nav.getByRole('link', { name: link, exact: true }).click();
  }

  async signOut(): Promise<void> {
    await this.page.getByRole('button', { name: 'Sign out' }).click();
    await this.page.waitForURL(/\/console\/login/);
  }

  async expectHeading(name: string | RegExp): Promise<void> {
    await this.heading(name).waitFor();
    expect(await this.heading(name).count()).toBe(1);
  }
}
