/** Small inline SVG icons (no icon font, no emoji: renders the same everywhere). */
const PATHS: Record<string, string> = {
  video: "M8 5v14l11-7z",
  text: "M6 2h9l5 5v15H6zM14 3v5h5M9 13h8M9 17h8M9 9h3",
  file: "M21.44 11.05l-9.19 9.19a6 6 0 01-8.49-8.49l9.19-9.19a4 4 0 015.66 5.66l-9.2 9.19a2 2 0 01-2.83-2.83l8.49-8.48",
  link: "M10 13a5 5 0 007.54.54l3-3a5 5 0 00-7.07-7.07l-1.72 1.71M14 11a5 5 0 00-7.54-.54l-3 3a5 5 0 007.07 7.07l1.71-1.71",
  quiz: "M9 11l3 3L22 4M21 12v7a2 2 0 01-2 2H5a2 2 0 01-2-2V5a2 2 0 012-2h11",
  lock: "M5 11h14v10H5zM8 11V7a4 4 0 018 0v4",
  check: "M20 6L9 17l-5-5",
  circle: "M12 3a9 9 0 100 18 9 9 0 000-18z",
};

export type IconName = keyof typeof PATHS;

export function Icon({ name, className = "h-4 w-4" }: { name: string; className?: string }) {
  const d = PATHS[name] ?? PATHS.circle;
  const filled = name === "video";
  return (
    <svg
      viewBox="0 0 24 24"
      className={className}
      aria-hidden="true"
      fill={filled ? "currentColor" : "none"}
      stroke={filled ? "none" : "currentColor"}
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d={d} />
    </svg>
  );
}
