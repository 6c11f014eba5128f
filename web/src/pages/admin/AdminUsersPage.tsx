import { useId } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { adminApi } from "../../api/endpoints";
import type { Role, User } from "../../api/types";
import { useSession } from "../../api/useSession";
import { Field } from "../../components/Field";
import { Pagination } from "../../components/Pagination";
import { EmptyState, ErrorState, FormError, LoadingState } from "../../components/states";
import { t, type MessageKey } from "../../i18n";
import { formatDate } from "../../lib/format";
import { useListFilters, useTitle } from "../../lib/hooks";

const ROLES: Role[] = ["student", "instructor", "admin"];
const ROLE_KEY: Record<Role, MessageKey> = { student: "role.student", instructor: "role.instructor", admin: "role.admin" };

function UserRow({ user, isSelf }: { user: User; isSelf: boolean }) {
  const qc = useQueryClient();
  const id = useId();
  const update = useMutation({
    mutationFn: (body: { role?: Role; is_active?: boolean }) => adminApi.updateUser(user.id, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["admin", "users"] }),
  });
  return (
    <tr className="align-top">
      <td className="px-3 py-3">
        <p className="font-medium text-slate-900">{user.full_name}</p>
        <p className="break-all text-sm text-slate-700">{user.email}</p>
        {update.isError && (
          <div className="mt-2">
            <FormError error={update.error} />
          </div>
        )}
      </td>
      <td className="px-3 py-3">
        <label htmlFor={`${id}-role`} className="sr-only">
          {t("admin.roleOf", { name: user.full_name })}
        </label>
        <select
          id={`${id}-role`}
          className="select w-36"
          value={user.role}
          disabled={isSelf || update.isPending}
          onChange={(e) => {
            const role = e.target.value as Role;
            if (window.confirm(t("admin.confirmRole", { name: user.full_name, role: t(ROLE_KEY[role]) }))) update.mutate({ role });
          }}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(ROLE_KEY[r])}
            </option>
          ))}
        </select>
      </td>
      <td className="px-3 py-3 text-sm">
        <span className={`rounded px-2 py-0.5 text-xs font-semibold ${user.is_active ? "bg-green-100 text-green-900" : "bg-slate-200 text-slate-800"}`}>
          {user.is_active ? t("admin.active") : t("admin.inactive")}
        </span>
        {!user.email_verified && <span className="ml-1 rounded bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-950">{t("profile.unverified")}</span>}
      </td>
      <td className="hidden px-3 py-3 text-sm text-slate-700 lg:table-cell">{formatDate(user.created_at)}</td>
      <td className="px-3 py-3 text-right">
        {!isSelf && (
          <button
            type="button"
            className="btn-secondary px-3 py-1 text-sm"
            disabled={update.isPending}
            onClick={() => {
              const msg = user.is_active ? t("admin.confirmDeactivate", { name: user.full_name }) : t("admin.confirmActivate", { name: user.full_name });
              if (window.confirm(msg)) update.mutate({ is_active: !user.is_active });
            }}
          >
            {user.is_active ? t("admin.deactivate") : t("admin.activate")}
            <span className="sr-only">: {user.full_name}</span>
          </button>
        )}
      </td>
    </tr>
  );
}

export default function AdminUsersPage() {
  useTitle(t("admin.users"));
  const { user: me } = useSession();
  const { params, q, setQ, debounced, page, set } = useListFilters();
  const role = (params.get("role") as Role | null) ?? undefined;
  const active = params.get("is_active") ?? "";
  const searchId = useId();

  const query = useQuery({
    queryKey: ["admin", "users", { q: debounced, role, active, page }],
    queryFn: ({ signal }) =>
      adminApi.listUsers({ q: debounced || undefined, role, is_active: active === "" ? undefined : active === "true", page, page_size: 20 }, signal),
    placeholderData: keepPreviousData,
  });

  return (
    <div>
      <h1 className="text-3xl font-bold">{t("admin.users")}</h1>
      <div className="mt-4 grid grid-cols-1 gap-3 sm:grid-cols-[1fr_10rem_10rem]">
        <Field label={t("admin.searchUsers")} type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        <div>
          <label htmlFor={`${searchId}-role`} className="block text-sm font-medium text-slate-800">
            {t("profile.role")}
          </label>
          <select id={`${searchId}-role`} className="select mt-1" value={role ?? ""} onChange={(e) => set("role", e.target.value)}>
            <option value="">{t("catalog.any")}</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(ROLE_KEY[r])}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${searchId}-active`} className="block text-sm font-medium text-slate-800">
            {t("admin.status")}
          </label>
          <select id={`${searchId}-active`} className="select mt-1" value={active} onChange={(e) => set("is_active", e.target.value)}>
            <option value="">{t("catalog.any")}</option>
            <option value="true">{t("admin.active")}</option>
            <option value="false">{t("admin.inactive")}</option>
          </select>
        </div>
      </div>

      <div className="mt-6" aria-busy={query.isFetching}>
        {query.isPending ? (
          <LoadingState />
        ) : query.isError ? (
          <ErrorState error={query.error} onRetry={() => void query.refetch()} />
        ) : query.data.items.length === 0 ? (
          <EmptyState title={t("admin.noUsers")} />
        ) : (
          <>
            <p className="mb-2 text-sm text-slate-700" aria-live="polite">
              {t("admin.userCount", { n: query.data.total })}
            </p>
            <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
              <table className="w-full text-left">
                <caption className="sr-only">{t("admin.users")}</caption>
                <thead className="bg-slate-100 text-sm text-slate-800">
                  <tr>
                    <th scope="col" className="px-3 py-2">{t("admin.user")}</th>
                    <th scope="col" className="px-3 py-2">{t("profile.role")}</th>
                    <th scope="col" className="px-3 py-2">{t("admin.status")}</th>
                    <th scope="col" className="hidden px-3 py-2 lg:table-cell">{t("profile.memberSince")}</th>
                    <th scope="col" className="px-3 py-2"><span className="sr-only">{t("admin.actions")}</span></th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {query.data.items.map((u) => (
                    <UserRow key={u.id} user={u} isSelf={u.id === me?.id} />
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination page={query.data.page} pageSize={query.data.page_size} total={query.data.total} onPage={(p) => set("page", String(p))} />
          </>
        )}
      </div>
    </div>
  );
}
