import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { authApi } from "../../api/endpoints";
import { FormError, FormSuccess, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { useTitle } from "../../lib/hooks";
import { AuthCard } from "./AuthCard";

export default function VerifyEmailPage() {
  useTitle(t("auth.verify.title"));
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  // A query (not an effect) so StrictMode's double mount posts the token once.
  const q = useQuery({
    queryKey: ["verify-email", token],
    queryFn: () => authApi.verifyEmail(token),
    enabled: !!token,
    retry: false,
    staleTime: Infinity,
    gcTime: Infinity,
  });
  return (
    <AuthCard title={t("auth.verify.title")}>
      {!token ? (
        <FormError error={new Error(t("auth.tokenMissing"))} />
      ) : q.isPending ? (
        <LoadingState label={t("auth.verify.working")} />
      ) : q.isError ? (
        <FormError error={q.error} />
      ) : (
        <FormSuccess>{t("auth.verify.done")}</FormSuccess>
      )}
      <Link to="/login" className="btn-secondary mt-6 w-full">
        {t("nav.login")}
      </Link>
    </AuthCard>
  );
}
