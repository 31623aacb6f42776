// A handful of inline SVG icons (no icon font, no CDN). Decorative: hidden from assistive tech.
import type { JSX } from 'preact';

const paths = {
  dashboard: 'M3 13h8V3H3v10Zm0 8h8v-6H3v6Zm10 0h8V11h-8v10Zm0-18v6h8V3h-8Z',
  users: 'M16 11a4 4 0 1 0-4-4 4 4 0 0 0 4 4Zm-8 0a3 3 0 1 0-3-3 3 3 0 0 0 3 3Zm0 2c-2.7 0-6 1.3-6 3.5V19h6v-2.5c0-1 .4-2 1.2-2.8A9.6 9.6 0 0 0 8 13Zm8 0c-3 0-7 1.5-7 4v2h14v-2c0-2.5-4-4-7-4Z',
  groups: 'M4 5h7v6H4V5Zm9 0h7v6h-7V5ZM4 13h7v6H4v-6Zm9 0h7v6h-7v-6Z',
  activity: 'M3 12h4l3 8 4-16 3 8h4',
  setup: 'M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0 0-7-7l-1.7 1.7M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7',
  profile: 'M12 12a5 5 0 1 0-5-5 5 5 0 0 0 5 5Zm0 2c-4.4 0-8 2.2-8 5v2h16v-2c0-2.8-3.6-5-8-5Z',
} as const;

export type IconName = keyof typeof paths;

const STROKED: ReadonlySet<IconName> = new Set(['activity', 'setup']);

export function Icon({ name }: { name: IconName }): JSX.Element {
  const stroked = STROKED.has(name);
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d={paths[name]}
        fill={stroked ? 'none' : 'currentColor'}
        stroke={stroked ? 'currentColor' : 'none'}
        stroke-width={stroked ? 2 : 0}
        stroke-linecap="round"
        stroke-linejoin="round"
      />
    </svg>
  );
}

export function BrandMark(): JSX.Element {
  return (
    <svg class="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="#3451c7" />
      <path d="M7 11.5c2.4 0 2.4 9 4.8 9s2.4-9 4.8-9 2.4 9 4.8 9 2.4-9 3.6-9" fill="none" stroke="#fff" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}
