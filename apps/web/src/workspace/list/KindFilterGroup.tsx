import { KIND_FILTERS, type KindFilter } from './documentListModel.ts';

/** All, Documents, Notes: toggle buttons, one pressed. */
export function KindFilterGroup({ filter, onChange }: { filter: KindFilter; onChange: (filter: KindFilter) => void }) {
  return (
    <div className="kind-filter" role="group" aria-label="Show">
      {KIND_FILTERS.map(([value, label]) => (
        <button
          key={value}
          className="kind-filter-button"
          type="button"
          aria-pressed={filter === value}
          onClick={() => onChange(value)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
