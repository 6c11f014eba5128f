import { useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { Link } from "react-router";
import { authApi } from "../../api/endpoints";
import { isApiError } from "../../api/errors";
import { Field } from "../../components/Field";
import { FormError, FormSuccess } from "../../components/states";
import { t } from "../../i18n";
import { useTitle } from "../../lib/hooks";
import { AuthCard, PASSWORD_MAX, PASSWORD_MIN } from "./AuthCard";

export default function RegisterPage() {
  useTitle(t("auth.register.title"));
  const [fullName, setFullName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [touched, setTouched] = useState(false);
  const register = useMutation({
    mutationFn: () => authApi.register({ email: email.trim(), password, full_name: fullName.trim() }),
  });

  const local = {
    full_name: fullName.trim() ? undefined : t("validation.required"),
    email: /^\S+@\S+\.\S+$/.test(email.trim()) ? undefined : t("validation.email"),
    password:
      password.length < PASSWORD_MIN || password.length > PASSWORD_MAX
        ? t("validation.passwordLength", { min: PASSWORD_MIN, max: PASSWORD_MAX })
        : undefined,
  };
  const server = isApiError(register.error) ? register.error : undefined;
  const err = (f: keyof typeof local) => (touched ? local[f] : undefined) ?? server?.fieldError(f);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (local.full_name || local.email || local.password) return;
    register.mutate();
  }

  if (register.isSuccess) {
    return (
      <AuthCard title={t("auth.register.doneTitle")}>
        <FormSuccess>{register.data?.message ?? t("auth.register.done", { email: email.trim() })}</FormSuccess>
        <Link to="/login" className="btn-primary mt-6 w-full">
          {t("auth.login.submit")}
        </Link>
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title={t("auth.register.title")}
      footer={
        <>
          {t("auth.register.haveAccount")}{" "}
          <Link to="/login" className="link">
            {t("nav.login")}
          </Link>
        </>
      }
    >
      <form onSubmit={onSubmit} className="flex flex-col gap-4" noValidate>
        {server && server.errors.length === 0 && <FormError error={server} />}
        <Field label={t("auth.fullName")} name="full_name" autoComplete="name" required value={fullName} onChange={(e) => setFullName(e.target.value)} error={err("full_name")} />
        <Field label={t("auth.email")} type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={err("email")} />
        <Field
          label={t("auth.password")}
          type="password"
          name="password"
          autoComplete="new-password"
          required
          minLength={PASSWORD_MIN}
          maxLength={PASSWORD_MAX}
          hint={t("validation.passwordLength", { min: PASSWORD_MIN, max: PASSWORD_MAX })}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={err("password")}
        />
        <button type="submit" className="btn-primary" disabled={register.isPending}>
          {register.isPending ? t("state.working") : t("auth.register.submit")}
        </button>
      </form>
    </AuthCard>
  );
}
