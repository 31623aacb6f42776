// "Connected: Microsoft Entra ID · last sync 3 min ago · 2 hints", then each hint with what to do.
// On the Dashboard and the SCIM setup page.
import type { JSX } from 'preact';
import type { IdpHint, IdpProfileView } from '../../../services/console/idp-profile.js';
import { Time } from './components.js';
import { plural, relativeTime } from './format.js';

const minutes = (ms: number) => (ms >= 90 * 60_000 ? `${Math.round(ms / 3_600_000)} hours` : `${Math.round(ms / 60_000)} minutes`);

function HintText({ hint, entraUrl }: { hint: IdpHint; entraUrl: string }): JSX.Element {
  switch (hint.kind) {
    case 'entra_flag_missing':
      return (
        <>
          <strong>Entra runs without the <code>aadOptscim062020</code> flag</strong> ({plural(hint.requests, 'request')} used its older, non-compliant PATCH shapes). In the provisioning settings, set the Tenant URL to{' '}
          <code class="break">{entraUrl}</code>, save, and restart provisioning.
        </>
      );
    case 'users_without_email':
      return (
        <>
          <strong>{plural(hint.count, 'user')} arrived without an email.</strong> Sign-in with Microsoft or Google matches people by email: map an email attribute (Entra: <code>emails[type eq "work"].value</code> ← <code>mail</code>) in your identity provider's attribute mappings.
        </>
      );
    case 'non_email_user_names':
      return (
        <>
          <strong>{plural(hint.count, 'user name')} {hint.count === 1 ? 'is' : 'are'} not an email address.</strong> Sign-in matches the email of the person signing in against user names and emails; map <code>userName</code> to the user principal name or email (Entra: <code>userPrincipalName</code>).
        </>
      );
    case 'repeated_conflict':
      return (
        <>
          <strong>
            The {hint.attribute} “{hint.value}” was refused {plural(hint.times, 'time')} as a duplicate.
          </strong>{' '}
          It already belongs to{' '}
          <a href={`/console/${hint.resourceType === 'Group' ? 'groups' : 'users'}/${encodeURIComponent(hint.existingId)}`}>{hint.existingName}</a>: remove or rename that record, or make the identity provider match it (by {hint.attribute}) instead of creating it again.
        </>
      );
    case 'empty_groups':
      return (
        <>
          <strong>{plural(hint.count, 'group')} {hint.count === 1 ? 'has' : 'have'} no members.</strong> Identity providers push group members after the group itself; if it stays empty, check that the members are assigned to the app (Entra: users and groups in scope) and that group provisioning is on.
        </>
      );
    case 'silent':
      return (
        <>
          <strong>Your identity provider has been silent since {relativeTime(hint.since)}</strong> — more than three of its cycles (about every {minutes(hint.intervalMs)}). Check that provisioning is still running and not in quarantine (Entra: Provisioning → Provisioning logs).
        </>
      );
  }
}

export function IdpStatus({ vm, entraUrl }: { vm: IdpProfileView | undefined; entraUrl: string }): JSX.Element | null {
  if (!vm) return null;
  const hints = vm.hints.length;
  return (
    <section class="card" aria-labelledby="idp-title" data-testid="idp-status">
      <h2 id="idp-title">
        Connected: {vm.label} · last sync {vm.rhythm.lastSyncAt ? relativeTime(vm.rhythm.lastSyncAt) : 'unknown'} · {hints === 0 ? 'no hints' : plural(hints, 'hint')}
      </h2>
      <p class="muted small">
        Calling since <Time iso={vm.since} exact />
        {vm.rhythm.intervalMs !== undefined ? <> · syncs about every {minutes(vm.rhythm.intervalMs)}</> : vm.client === 'entra' ? <> · Entra syncs about every 40 minutes</> : null}
        {vm.userAgent ? (
          <>
            {' '}
            · client <span class="mono break">{vm.userAgent}</span>
          </>
        ) : null}
      </p>
      {hints > 0 ? (
        <ul class="hints">
          {vm.hints.map((h, i) => (
            <li key={i} data-hint={h.kind}>
              <HintText hint={h} entraUrl={entraUrl} />
            </li>
          ))}
        </ul>
      ) : (
        <p class="small">Nothing looks misconfigured in its recent requests.</p>
      )}
    </section>
  );
}
