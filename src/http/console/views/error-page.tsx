// Error pages of the console (HTML; a SCIM JSON error never reaches a browser page).
import type { JSX } from 'preact';
import { AuthLayout, Layout, type Chrome } from './layout.js';
import { PageHeader } from './components.js';

export interface ErrorView {
  readonly status: number;
  readonly title: string;
  readonly message: string;
  readonly requestId?: string;
}

function Body(vm: ErrorView): JSX.Element {
  return (
    <div class="card">
      <p>{vm.message}</p>
      {vm.requestId ? <p class="muted small">Reference: <span class="mono">{vm.requestId}</span></p> : null}
      <p>
        <a href="/console">Go to the console home</a>
      </p>
    </div>
  );
}

export function ErrorPage({ chrome, ...vm }: ErrorView & { chrome: Chrome | undefined }): JSX.Element {
  if (!chrome) {
    return (
      <AuthLayout title={vm.title}>
        <h1>{vm.title}</h1>
        <p class="lead">Error {vm.status}</p>
        <Body {...vm} />
      </AuthLayout>
    );
  }
  return (
    <Layout title={vm.title} chrome={chrome}>
      <PageHeader title={vm.title} description={`Error ${vm.status}`} />
      <Body {...vm} />
    </Layout>
  );
}
