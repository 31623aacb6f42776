// The page frame: document head (our own CSS/JS only), a skip link, the left navigation and the
// signed-in account with its Sign out form. Signed-out pages use AuthLayout.
import type { ComponentChildren, JSX } from 'preact';
import { assetUrl } from '../assets/index.js';
import { BrandMark, Icon, type IconName } from './icons.js';
import { PostButton } from './components.js';

export type NavKey = 'dashboard' | 'users' | 'groups' | 'activity' | 'setup' | 'credentials' | 'set-streams' | 'sign-in' | 'sign-ins' | 'settings' | 'webhooks' | 'home' | 'profile';

/** What every signed-in page needs besides its own view-model. */
export interface Chrome {
  readonly nav: NavKey | null;
  readonly csrfToken: string;
  readonly orgName: string;
  readonly account: { readonly displayName: string; readonly email: string; readonly role: 'admin' | 'user' };
  /** The account belongs to a provisioned (SCIM) user: it has a Home page. */
  readonly provisioned?: boolean;
}

const NAV: ReadonlyArray<{ key: NavKey; href: string; label: string; icon: IconName; adminOnly: boolean; provisionedOnly?: boolean }> = [
  { key: 'dashboard', href: '/console', label: 'Dashboard', icon: 'dashboard', adminOnly: true },
  { key: 'users', href: '/console/users', label: 'Manage Users', icon: 'users', adminOnly: true },
  { key: 'groups', href: '/console/groups', label: 'Groups', icon: 'groups', adminOnly: true },
  { key: 'activity', href: '/console/activity', label: 'Activity', icon: 'activity', adminOnly: true },
  { key: 'setup', href: '/console/scim-setup', label: 'SCIM setup', icon: 'setup', adminOnly: true },
  { key: 'credentials', href: '/console/provisioning-credentials', label: 'Provisioning credentials', icon: 'setup', adminOnly: true },
  { key: 'set-streams', href: '/console/set-streams', label: 'SET streams', icon: 'activity', adminOnly: true },
  { key: 'sign-in', href: '/console/sign-in-settings', label: 'Sign-in settings', icon: 'setup', adminOnly: true },
  { key: 'sign-ins', href: '/console/sign-ins', label: 'Sign-in log', icon: 'activity', adminOnly: true },
  { key: 'webhooks', href: '/console/webhooks', label: 'Webhooks', icon: 'setup', adminOnly: true },
  { key: 'settings', href: '/console/settings', label: 'Settings', icon: 'setup', adminOnly: true },
  { key: 'home', href: '/console/home', label: 'Home', icon: 'dashboard', adminOnly: false, provisionedOnly: true },
  { key: 'profile', href: '/console/profile', label: 'Profile', icon: 'profile', adminOnly: false },
];

function Document({ title, children }: { title: string; children: ComponentChildren }): JSX.Element {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>{`${title} · WiggleDesk`}</title>
        <link rel="icon" type="image/svg+xml" href={assetUrl('favicon.svg')} />
        <link rel="stylesheet" href={assetUrl('console.css')} />
        <script src={assetUrl('console.js')} defer></script>
      </head>
      <body>{children}</body>
    </html>
  );
}

export function Layout({ title, chrome, children }: { title: string; chrome: Chrome; children: ComponentChildren }): JSX.Element {
  const items = NAV.filter((n) => (!n.adminOnly || chrome.account.role === 'admin') && (!n.provisionedOnly || chrome.provisioned === true));
  return (
    <Document title={title}>
      <a class="skip-link" href="#main">
        Skip to main content
      </a>
      <div class="shell">
        <aside class="sidebar">
          <div class="sidebar-inner">
            <a class="brand" href={chrome.account.role === 'admin' ? '/console' : '/console/profile'}>
              <BrandMark />
              <span>
                <span class="brand-name">WiggleDesk</span>
                <span class="brand-org">{chrome.orgName}</span>
              </span>
            </a>
            <nav class="nav" aria-label="Console">
              <ul>
                {items.map((n) => (
                  <li key={n.key}>
                    <a href={n.href} aria-current={chrome.nav === n.key ? 'page' : undefined}>
                      <Icon name={n.icon} />
                      {n.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            <div class="account">
              <div>
                <span class="account-name">{chrome.account.displayName}</span>
                <span class="account-email">{chrome.account.email}</span>
              </div>
              <PostButton action="/console/logout" csrf={chrome.csrfToken} class="btn secondary small">
                Sign out
              </PostButton>
            </div>
          </div>
        </aside>
        <main id="main" class="main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </Document>
  );
}

export function AuthLayout({ title, children }: { title: string; children: ComponentChildren }): JSX.Element {
  return (
    <Document title={title}>
      <main id="main" class="auth-page">
        <div class="auth-card">
          <div class="brand">
            <BrandMark />
            <span class="brand-name">WiggleDesk</span>
          </div>
          {children}
        </div>
      </main>
    </Document>
  );
}
