/** The 60 digits of a safety number in twelve groups of five, read aloud group by group. */
export function SafetyNumber({ value, label }: { value: string; label: string }) {
  const groups = value.split(/\s+/).filter((group) => group !== '');
  return (
    <figure className="safety-number">
      <figcaption className="safety-number-label">{label}</figcaption>
      <p className="safety-number-digits" aria-label={`${label}: ${groups.join(', ')}`}>
        {groups.map((group, index) => (
          <span key={index}>{group}</span>
        ))}
      </p>
    </figure>
  );
}

/** How two people compare a safety number, in plain words. */
export function CompareAdvice({ email }: { email: string }) {
  return (
    <p className="safety-advice">
      Compare it with {email} over a channel the relay does not carry: read it aloud in a phone or video call, or look
      at each other&apos;s screens in person. They find the same 60 digits as &ldquo;Your safety number&rdquo; under
      Share on any document. If the digits differ, someone may be intercepting what you share: do not share, and tell
      your administrator.
    </p>
  );
}
