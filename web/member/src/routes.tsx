import { Route, Routes } from "react-router-dom";
import { ScanPage } from "./pages/ScanPage";

// The member H5's pages (the member helper fills these in).
export function MemberRoutes() {
  return (
    <Routes>
      <Route path="/scan" element={<ScanPage />} />
      <Route path="*" element={<ScanPage />} />
    </Routes>
  );
}
