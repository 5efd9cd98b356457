// The drawer a list opens to create an item ("new") or edit one: its form gets the item, or null
// for a new one, and is built afresh each time it opens.
import { Drawer } from "antd";
import type { ReactNode } from "react";

export type Editing<T> = T | "new" | null;

export function EditDrawer<T>({
  editing,
  onClose,
  newTitle,
  editTitle,
  children,
}: {
  editing: Editing<T>;
  onClose: () => void;
  newTitle: string;
  editTitle: string;
  children: (item: T | null) => ReactNode;
}) {
  return (
    <Drawer open={editing !== null} onClose={onClose} title={editing === "new" ? newTitle : editTitle} size="large" destroyOnHidden>
      {editing !== null && children(editing === "new" ? null : editing)}
    </Drawer>
  );
}
