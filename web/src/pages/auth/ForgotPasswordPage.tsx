import { useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { Link } from "react-router";
import { authApi } from "../../api/endpoints";
import { Field } from "../../components/Field";
import { FormError, FormSuccess } from "../../components/states";
import { t } from "../../i18n";
import { useTitle } from "../../lib/hooks";
import { AuthCard } from "./AuthCard";

export default function ForgotPasswordPage() {
  useTitle(t("auth.forgot.title"));
  const [email, setEmail] = useState("");
  const m = useMutation({ mutationFn: () => authApi.requestPasswordReset(email.trim()) });
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    m.mutate();
  }
  return (
    <AuthCard
      title={t("auth.forgot.title")}
      footer={
        <Link to="/login" className="link">
          {t("auth.backToLogin")}
        </Link>
      }
    >
      {m.isSuccess ? (
        <FormSuccess>{t("auth.forgot.done")}</FormSuccess>
      ) : (
        <form onSubmit={onSubmit} className="flex flex-col gap-4">
          <p className="text-sm text-slate-700">{t("auth.forgot.body")}</p>
          <FormError error={m.error} />
          <Field label={t("auth.email")} type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <button type="submit" className="btn-primary" disabled={m.isPending || !email}>
            {m.isPending ? t("state.working") : t("auth.forgot.submit")}
          </button>
        </form>
      )}
    </AuthCard>
  );
}
