import { useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { authApi } from "../../api/endpoints";
import { useSession } from "../../api/useSession";
import { Field } from "../../components/Field";
import { FormError } from "../../components/states";
import { t } from "../../i18n";
import { useTitle } from "../../lib/hooks";
import { AuthCard, safeNext } from "./AuthCard";

export default function LoginPage() {
  useTitle(t("auth.login.title"));
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const navigate = useNavigate();
  const { status } = useSession();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const login = useMutation({
    mutationFn: () => authApi.login({ email: email.trim(), password }),
    onSuccess: () => navigate(next, { replace: true }),
  });

  if (status === "authenticated" && !login.isSuccess && !login.isPending) return <Navigate to={next} replace />;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    login.mutate();
  }

  return (
    <AuthCard
      title={t("auth.login.title")}
      footer={
        <>
          {t("auth.login.noAccount")}{" "}
          <Link to="/register" className="link">
            {t("nav.register")}
          </Link>
        </>
      }
    >
      <form onSubmit={onSubmit} className="flex flex-col gap-4" noValidate>
        <FormError error={login.error} />
        <Field label={t("auth.email")} type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <Field
          label={t("auth.password")}
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <div className="text-right text-sm">
          <Link to="/forgot-password" className="link">
            {t("auth.login.forgot")}
          </Link>
        </div>
        <button type="submit" className="btn-primary" disabled={login.isPending || !email || !password}>
          {login.isPending ? t("state.working") : t("auth.login.submit")}
        </button>
      </form>
    </AuthCard>
  );
}
