export interface Point {
  t: number;
  v: number;
}

interface Props {
  title: string;
  points: Point[];
  unit?: string;
  /** Window shown, so empty minutes keep their place. */
  from: number;
  to: number;
  testId?: string;
  /** Mark points of value 0 too (a rate has a point every minute, most of them 0). */
  zeroDots?: boolean;
}

const W = 320;
const H = 120;
const PAD = { left: 40, right: 8, top: 10, bottom: 20 };

/**
 * A small SVG line chart: no charting library, nothing inline that the CSP
 * would refuse (attributes only), and it is as light as the data it draws.
 */
export function LineChart({ title, points, unit = '', from, to, testId, zeroDots = true }: Props) {
  const max = Math.max(1, ...points.map((p) => p.v));
  const x = (t: number) => PAD.left + ((t - from) / Math.max(1, to - from)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const last = points.at(-1);
  return (
    <figure className="chart" data-testid={testId} data-points={points.length}>
      <figcaption>
        {title}
        <span className="chart-last">{last ? `${format(last.v)}${unit}` : 'no data'}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <line className="axis" x1={PAD.left} y1={H - PAD.bottom} x2={W - PAD.right} y2={H - PAD.bottom} />
        <line className="axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={H - PAD.bottom} />
        <text className="tick" x={PAD.left - 4} y={PAD.top + 4} textAnchor="end">{format(max)}</text>
        <text className="tick" x={PAD.left - 4} y={H - PAD.bottom} textAnchor="end">0</text>
        <text className="tick" x={PAD.left} y={H - 4}>{new Date(from).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</text>
        <text className="tick" x={W - PAD.right} y={H - 4} textAnchor="end">now</text>
        {points.length > 1 && <path className="line" d={path} />}
        {points
          .filter((p) => zeroDots || p.v > 0)
          .map((p) => (
            <circle key={p.t} className="dot" cx={x(p.t)} cy={y(p.v)} r={2.5} />
          ))}
      </svg>
    </figure>
  );
}

function format(v: number): string {
  return v >= 100 ? String(Math.round(v)) : String(Math.round(v * 10) / 10);
}
