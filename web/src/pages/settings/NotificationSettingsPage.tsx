import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { preferencesApi } from "../../api/endpoints";
import type { EmailPreference } from "../../api/types";
import { RequireAuth } from "../../components/RequireAuth";
import { ErrorState, FormError, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { useTitle } from "../../lib/hooks";

const KEY = ["preferences", "email"];

function PreferenceRow({ pref }: { pref: EmailPreference }) {
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: (enabled: boolean) => preferencesApi.setEmail({ [pref.kind]: enabled }),
    onSuccess: (data) => qc.setQueryData(KEY, data),
  });
  const id = `pref-${pref.kind}`;
  return (
    <li className="flex flex-col gap-1 py-3">
      <div className="flex items-center gap-3">
        <input
          id={id}
          type="checkbox"
          className="h-5 w-5 accent-blue-800"
          checked={pref.enabled}
          disabled={pref.locked || m.isPending}
          aria-describedby={pref.locked ? `${id}-locked` : undefined}
          onChange={(e) => m.mutate(e.target.checked)}
        />
        <label htmlFor={id} className="flex-1 text-slate-900">
          {pref.label}
        </label>
        {m.isPending && <span className="text-sm text-slate-600">{t("state.saving")}</span>}
      </div>
      {pref.locked && (
        <p id={`${id}-locked`} className="pl-8 text-sm text-slate-600">
          {t("settings.locked")}
        </p>
      )}
      {m.isError && <FormError error={m.error} />}
    </li>
  );
}

function Settings() {
  useTitle(t("settings.notifications"));
  const q = useQuery({ queryKey: KEY, queryFn: ({ signal }) => preferencesApi.email(signal) });
  return (
    <div className="mx-auto max-w-2xl">
      <h1 className="text-3xl font-bold">{t("settings.notifications")}</h1>
      <section aria-labelledby="email-prefs" className="card mt-6">
        <h2 id="email-prefs" className="text-xl font-bold">
          {t("settings.email")}
        </h2>
        <p className="mt-1 text-sm text-slate-700">{t("settings.emailBlurb")}</p>
        {q.isPending ? (
          <LoadingState />
        ) : q.isError ? (
          <ErrorState error={q.error} onRetry={() => void q.refetch()} />
        ) : (
          <ul className="mt-2 divide-y divide-slate-100">
            {[...q.data.preferences]
              .sort((a, b) => Number(a.locked) - Number(b.locked))
              .map((p) => (
                <PreferenceRow key={p.kind} pref={p} />
              ))}
          </ul>
        )}
      </section>
    </div>
  );
}

export default function NotificationSettingsPage() {
  return (
    <RequireAuth>
      <Settings />
    </RequireAuth>
  );
}
