import { encode } from "uqr";

/** A QR code drawn in the browser as SVG (the otpauth URI never leaves the page). */
export function QrCode({ value, label, size = 200 }: { value: string; label: string; size?: number }) {
  const qr = encode(value, { ecc: "M", border: 2 });
  const rects: string[] = [];
  qr.data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) rects.push(`M${x} ${y}h1v1h-1z`);
    });
  });
  return (
    <svg
      role="img"
      aria-label={label}
      className="qr"
      width={size}
      height={size}
      viewBox={`0 0 ${qr.size} ${qr.size}`}
      shapeRendering="crispEdges"
    >
      <rect width={qr.size} height={qr.size} fill="#fff" />
      <path d={rects.join("")} fill="#000" />
    </svg>
  );
}
