import { lazy, Suspense } from "react";
import { Route, Routes } from "react-router-dom";
import { PageLoading } from "./components/PageLoading";
import ScanPage from "./pages/scan/ScanPage";

// The landing page is in the entry (a scanned code opens it first, nothing else is fetched for it);
// every other page is its own chunk, inside the member layout's chunk (React Query, the tab bar).
const MemberLayout = lazy(() => import("./layout/MemberLayout"));
const PointsHomePage = lazy(() => import("./pages/home/PointsHomePage"));
const CheckinPage = lazy(() => import("./pages/checkin/CheckinPage"));
const RewardsPage = lazy(() => import("./pages/rewards/RewardsPage"));
const CasesPage = lazy(() => import("./pages/cases/CasesPage"));
const NewCasePage = lazy(() => import("./pages/cases/NewCasePage"));
const CasePage = lazy(() => import("./pages/cases/CasePage"));
const SignupPage = lazy(() => import("./pages/signups/SignupPage"));
const ReferralsPage = lazy(() => import("./pages/referrals/ReferralsPage"));
const KocTasksPage = lazy(() => import("./pages/koc-tasks/KocTasksPage"));
const NotFoundPage = lazy(() => import("./layout/NotFoundPage"));

export function MemberRoutes() {
  return (
    <Routes>
      <Route path="/scan" element={<ScanPage />} />
      <Route
        element={
          <Suspense fallback={<PageLoading />}>
            <MemberLayout />
          </Suspense>
        }
      >
        <Route index element={<PointsHomePage />} />
        <Route path="checkin" element={<CheckinPage />} />
        <Route path="rewards" element={<RewardsPage />} />
        <Route path="cases" element={<CasesPage />} />
        <Route path="cases/new" element={<NewCasePage />} />
        <Route path="cases/:caseId" element={<CasePage />} />
        <Route path="signups/:sheetId" element={<SignupPage />} />
        <Route path="referrals" element={<ReferralsPage />} />
        <Route path="koc-tasks" element={<KocTasksPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
