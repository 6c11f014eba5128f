import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { authApi } from "../../api/endpoints";
import { isApiError } from "../../api/errors";
import { Field } from "../../components/Field";
import { RequireAuth } from "../../components/RequireAuth";
import { ErrorState, FormError, FormSuccess, LoadingState } from "../../components/states";
import { t, type MessageKey } from "../../i18n";
import { formatDate } from "../../lib/format";
import { useTitle } from "../../lib/hooks";
import { PASSWORD_MAX, PASSWORD_MIN } from "./AuthCard";

const ROLE: Record<string, MessageKey> = { student: "role.student", instructor: "role.instructor", admin: "role.admin" };

function ChangePassword() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [touched, setTouched] = useState(false);
  const m = useMutation({
    mutationFn: () => authApi.changePassword({ current_password: current, new_password: next }),
    onSuccess: () => {
      setCurrent("");
      setNext("");
      setConfirm("");
      setTouched(false);
    },
  });
  const lengthErr =
    next.length < PASSWORD_MIN || next.length > PASSWORD_MAX
      ? t("validation.passwordLength", { min: PASSWORD_MIN, max: PASSWORD_MAX })
      : undefined;
  const matchErr = confirm !== next ? t("validation.passwordMatch") : undefined;
  const server = isApiError(m.error) ? m.error : undefined;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (lengthErr || matchErr || !current) return;
    m.mutate();
  }

  return (
    <section aria-labelledby="change-password" className="card">
      <h2 id="change-password" className="mb-4 text-xl font-bold">
        {t("profile.changePassword")}
      </h2>
      <form onSubmit={onSubmit} className="flex flex-col gap-4" noValidate>
        {m.isSuccess && <FormSuccess>{t("profile.passwordChanged")}</FormSuccess>}
        {server && server.errors.length === 0 && <FormError error={server} />}
        <Field
          label={t("auth.currentPassword")}
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          error={(touched && !current ? t("validation.required") : undefined) ?? server?.fieldError("current_password")}
        />
        <Field
          label={t("auth.newPassword")}
          type="password"
          autoComplete="new-password"
          value={next}
          onChange={(e) => setNext(e.target.value)}
          hint={t("validation.passwordLength", { min: PASSWORD_MIN, max: PASSWORD_MAX })}
          error={(touched ? lengthErr : undefined) ?? server?.fieldError("new_password")}
        />
        <Field
          label={t("auth.confirmPassword")}
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={touched ? matchErr : undefined}
        />
        <button type="submit" className="btn-primary w-fit" disabled={m.isPending}>
          {m.isPending ? t("state.working") : t("profile.changePassword")}
        </button>
      </form>
    </section>
  );
}

function EditName({ current }: { current: string }) {
  const [name, setName] = useState(current);
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: () => authApi.updateProfile({ full_name: name.trim() }),
    onSuccess: (user) => qc.setQueryData(["me"], user),
  });
  const server = isApiError(m.error) ? m.error : undefined;
  return (
    <form
      className="mt-6 flex flex-col gap-3 border-t border-slate-200 pt-4 sm:flex-row sm:items-end"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (name.trim()) m.mutate();
      }}
    >
      <Field
        className="flex-1"
        label={t("profile.editName")}
        autoComplete="name"
        value={name}
        maxLength={200}
        onChange={(e) => setName(e.target.value)}
        error={server?.fieldError("full_name") ?? (server && server.errors.length === 0 ? server.message : undefined)}
      />
      <button type="submit" className="btn-secondary" disabled={m.isPending || !name.trim() || name.trim() === current}>
        {m.isPending ? t("state.saving") : t("profile.save")}
      </button>
      {m.isSuccess && (
        <p role="status" className="text-sm text-green-800 sm:self-center">
          {t("profile.saved")}
        </p>
      )}
    </form>
  );
}

function ResendVerification() {
  const m = useMutation({ mutationFn: () => authApi.resendVerification() });
  if (m.isSuccess) return <p role="status" className="mt-2 text-sm text-green-800">{m.data?.message ?? t("profile.resent")}</p>;
  return (
    <div className="mt-2">
      <button type="button" className="link text-sm" onClick={() => m.mutate()} disabled={m.isPending}>
        {t("profile.resend")}
      </button>
      {m.isError && <FormError error={m.error} />}
    </div>
  );
}

function Profile() {
  useTitle(t("nav.profile"));
  const me = useQuery({ queryKey: ["me"], queryFn: () => authApi.me() });
  return (
    <div className="mx-auto flex max-w-2xl flex-col gap-6">
      <h1 className="text-3xl font-bold">{t("nav.profile")}</h1>
      {me.isPending ? (
        <LoadingState />
      ) : me.isError ? (
        <ErrorState error={me.error} onRetry={() => void me.refetch()} />
      ) : (
        <section aria-labelledby="account" className="card">
          <h2 id="account" className="mb-4 text-xl font-bold">
            {t("profile.account")}
          </h2>
          <dl className="grid grid-cols-1 gap-x-6 gap-y-2 sm:grid-cols-[auto_1fr]">
            <dt className="font-semibold text-slate-800">{t("auth.fullName")}</dt>
            <dd>{me.data.full_name}</dd>
            <dt className="font-semibold text-slate-800">{t("auth.email")}</dt>
            <dd className="break-all">
              {me.data.email}{" "}
              <span className={`ml-1 rounded px-2 py-0.5 text-xs font-semibold ${me.data.email_verified ? "bg-green-100 text-green-900" : "bg-amber-100 text-amber-950"}`}>
                {me.data.email_verified ? t("profile.verified") : t("profile.unverified")}
              </span>
            </dd>
            <dt className="font-semibold text-slate-800">{t("profile.role")}</dt>
            <dd>{ROLE[me.data.role] ? t(ROLE[me.data.role]!) : me.data.role}</dd>
            <dt className="font-semibold text-slate-800">{t("profile.memberSince")}</dt>
            <dd>{formatDate(me.data.created_at)}</dd>
          </dl>
          {!me.data.email_verified && <ResendVerification />}
          <EditName key={me.data.full_name} current={me.data.full_name} />
        </section>
      )}
      <ChangePassword />
    </div>
  );
}

export default function ProfilePage() {
  return (
    <RequireAuth>
      <Profile />
    </RequireAuth>
  );
}
