-- Staff management and group chats.

-- Removed staff keep their row (history and exports still show their name) but lose access.
ALTER TABLE staff ADD COLUMN removed_at INTEGER;
ALTER TABLE staff ADD COLUMN removed_by INTEGER;

-- A staff member may have several open verifications in a chat, and several staff share a
-- group: verifications belong to (chat, staff member). One open verification per phone stays.
DROP INDEX verifications_one_open_per_chat;
CREATE INDEX verifications_open_by_chat_staff ON verifications (chat_id, staff_user_id, status);
CREATE INDEX verifications_message ON verifications (chat_id, message_id);
