import { Outlet } from "react-router";
import { RequireAuth } from "../../components/RequireAuth";

export default function StudioLayout() {
  return (
    <RequireAuth roles={["instructor", "admin"]}>
      <Outlet />
    </RequireAuth>
  );
}
