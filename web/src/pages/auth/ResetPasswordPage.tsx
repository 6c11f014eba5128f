import { useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { authApi } from "../../api/endpoints";
import { Field } from "../../components/Field";
import { FormError, FormSuccess } from "../../components/states";
import { t } from "../../i18n";
import { useTitle } from "../../lib/hooks";
import { AuthCard, PASSWORD_MAX, PASSWORD_MIN } from "./AuthCard";

export default function ResetPasswordPage() {
  useTitle(t("auth.reset.title"));
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [touched, setTouched] = useState(false);
  const m = useMutation({ mutationFn: () => authApi.confirmPasswordReset(token, password) });
  const lengthErr =
    password.length < PASSWORD_MIN || password.length > PASSWORD_MAX
      ? t("validation.passwordLength", { min: PASSWORD_MIN, max: PASSWORD_MAX })
      : undefined;
  const matchErr = confirm !== password ? t("validation.passwordMatch") : undefined;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (lengthErr || matchErr) return;
    m.mutate();
  }

  return (
    <AuthCard title={t("auth.reset.title")}>
      {!token ? (
        <FormError error={new Error(t("auth.tokenMissing"))} />
      ) : m.isSuccess ? (
        <>
          <FormSuccess>{t("auth.reset.done")}</FormSuccess>
          <Link to="/login" className="btn-primary mt-6 w-full">
            {t("auth.login.submit")}
          </Link>
        </>
      ) : (
        <form onSubmit={onSubmit} className="flex flex-col gap-4" noValidate>
          <FormError error={m.error} />
          <Field
            label={t("auth.newPassword")}
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            hint={t("validation.passwordLength", { min: PASSWORD_MIN, max: PASSWORD_MAX })}
            error={touched ? lengthErr : undefined}
          />
          <Field
            label={t("auth.confirmPassword")}
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            error={touched ? matchErr : undefined}
          />
          <button type="submit" className="btn-primary" disabled={m.isPending}>
            {m.isPending ? t("state.working") : t("auth.reset.submit")}
          </button>
        </form>
      )}
    </AuthCard>
  );
}
