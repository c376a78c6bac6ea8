/** Coffre's mark: a closed padlock in a rounded square. */
export function BrandMark({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="var(--brand)" />
      <path
        d="M10 14v-3a6 6 0 0 1 12 0v3"
        fill="none"
        stroke="var(--brand-ink)"
        strokeWidth="2.5"
        strokeLinecap="round"
      />
      <rect x="8" y="14" width="16" height="11" rx="2.5" fill="var(--brand-ink)" />
      <circle cx="16" cy="19.5" r="2" fill="var(--brand)" />
    </svg>
  );
}
