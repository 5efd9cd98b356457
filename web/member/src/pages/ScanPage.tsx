export function ScanPage() {
  return <main><h1>扫码</h1></main>;
}
