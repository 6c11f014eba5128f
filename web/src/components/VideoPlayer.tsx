import { useEffect, useRef } from "react";
import { t } from "../i18n";

const SAVE_EVERY_SECONDS = 15;

function youTubeId(url: string): string | null {
  const m = url.match(/(?:youtube\.com\/(?:watch\?v=|embed\/)|youtu\.be\/)([\w-]{11})/);
  return m?.[1] ?? null;
}

/**
 * Video with resume: seeks to `startAt` when metadata loads, reports the position every
 * 15 s of playback, on pause, on end and when unmounted (navigating away).
 */
export function VideoPlayer({
  src,
  title,
  startAt,
  onPosition,
}: {
  src: string;
  title: string;
  startAt?: number | null;
  onPosition?: (seconds: number) => void;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  const lastSaved = useRef(0);
  const onPositionRef = useRef(onPosition);
  onPositionRef.current = onPosition;

  useEffect(() => {
    const video = ref.current;
    return () => {
      const pos = video?.currentTime ?? 0;
      if (pos > 0 && Math.abs(pos - lastSaved.current) >= 1) onPositionRef.current?.(pos);
    };
  }, [src]);

  const yt = youTubeId(src);
  if (yt) {
    const start = startAt ? `&start=${Math.floor(startAt)}` : "";
    return (
      <div className="aspect-video w-full overflow-hidden rounded-lg bg-black">
        <iframe
          className="h-full w-full"
          src={`https://www.youtube-nocookie.com/embed/${yt}?rel=0${start}`}
          title={title}
          allow="accelerometer; encrypted-media; gyroscope; picture-in-picture; fullscreen"
          allowFullScreen
        />
      </div>
    );
  }

  function save(force = false) {
    const v = ref.current;
    if (!v) return;
    const pos = v.currentTime;
    if (force || Math.abs(pos - lastSaved.current) >= SAVE_EVERY_SECONDS) {
      lastSaved.current = pos;
      onPositionRef.current?.(pos);
    }
  }

  return (
    <video
      ref={ref}
      key={src}
      className="aspect-video w-full rounded-lg bg-black"
      src={src}
      controls
      preload="metadata"
      aria-label={t("lesson.videoLabel", { title })}
      onLoadedMetadata={(e) => {
        const v = e.currentTarget;
        if (startAt && startAt > 0 && (!v.duration || startAt < v.duration - 2)) {
          v.currentTime = startAt;
          lastSaved.current = startAt;
        }
      }}
      onTimeUpdate={() => save()}
      onPause={() => save(true)}
      onEnded={() => save(true)}
    />
  );
}
