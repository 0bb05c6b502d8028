# Администраторам: отказы, сброс лимитов, баланс, /stats, /export.

admins-only = 🔒 Это доступно только администраторам.
reset-usage =
    Чтобы сбросить лимит отправки для номера, отправьте /reset и номер, например:
    <code>/reset +7 912 345-67-89</code>
reset-done = ♻️ Лимит отправки и пауза для <code>{ $phone }</code> сброшены. Следующий /verify сможет отправить код сразу.

balance-low = 💰 Баланс Telegram Gateway на исходе: осталось { $remaining }. Пополните его на gateway.telegram.org, чтобы коды продолжали отправляться.
balance-empty = 💰 Баланс Telegram Gateway исчерпан: коды не будут отправляться, пока его не пополнят на gateway.telegram.org.

stats-title = 📊 <b>Проверки</b> (сутки по UTC)
stats-period =
    <b>{ $name }</b>
    Отправлено кодов: { $sent }
    ✅ Подтверждено: { $verified } · ⛔ Неудачно: { $failed } · ⌛ Истекло: { $expired } · 🚫 Отменено: { $cancelled }
    Успешность: { $rate }
    Потрачено: { $spent } · возвращено: { $refunded }
stats-balance = 💰 Баланс Gateway (последние данные): { $balance }
stats-balance-unknown = данных пока нет
stats-today = Сегодня
stats-7-days = За 7 дней
stats-30-days = За 30 дней

chart-title = Отправленные и подтверждённые коды по дням, последние 30 дней (UTC)
chart-caption = 📈 Отправленные и подтверждённые коды по дням
chart-sent = Отправлено: { $count }
chart-verified = Подтверждено: { $count }
chart-day = { $day } { $month }
chart-empty = За этот период коды не отправлялись

export-usage = Отправьте /export для выгрузки за последние 30 дней или /export 7 — за последние 7 (от 1 до 366).
export-empty = За { $days ->
    [one] последний { $days } день
    [few] последние { $days } дня
   *[many] последние { $days } дней
    } проверок не было, выгружать нечего.
export-caption = 🧾 { $count ->
    [one] { $count } проверка
    [few] { $count } проверки
   *[many] { $count } проверок
    } за { $days ->
    [one] последний { $days } день
    [few] последние { $days } дня
   *[many] последние { $days } дней
    } (время в UTC).
