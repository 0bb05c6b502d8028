# Администраторам: отказы, сброс лимитов, баланс, канал для кодов, /stats, /export, /events.

admins-only = 🔒 Это доступно только администраторам.
reset-usage =
    Чтобы сбросить лимит отправок для номера, отправьте /reset и номер с кодом страны (для России — +7 вместо 8), например:
    <code>/reset +7 912 345-67-89</code>
reset-done = ♻️ Лимит отправок для номера <code>{ $phone }</code> сброшен, пауза между кодами снята. Теперь на этот номер можно сразу отправить код командой /verify.

balance-low = 💰 Баланс Telegram Gateway на исходе: осталось { $remaining }. Пополните его на gateway.telegram.org, чтобы коды продолжали отправляться.
balance-empty = 💰 Баланс Telegram Gateway исчерпан, поэтому коды не отправляются. Пополните его на gateway.telegram.org.

events-alert-failing = 📡 События не доходят до EVENTS_URL: все отправки не удаются уже { $duration }. Последняя ошибка: { $error }. Ничего не потеряно: каждое событие будет отправляться снова, пока не истечёт EVENTS_MAX_AGE, а /events покажет, как обстоят дела.
events-alert-recovered = 📡 События снова доходят до EVENTS_URL; накопившиеся уже отправляются.
events-alert-gone = 📡 EVENTS_URL ответил 410: этого адреса больше нет, поэтому события туда больше не отправляются. Они ждут своей очереди: укажите в EVENTS_URL новый адрес и перезапустите бота — и они уйдут туда.

sender-not-verified =
    📢 Коды не отправляются: канал { $channel } не верифицирован в Telegram, поэтому Telegram Gateway не отправляет коды от его имени (<code>SENDER_NOT_VERIFIED</code>).

    Чтобы это исправить, пройдите верификацию канала в Telegram (telegram.org/verify) — после этого /verify снова заработает. Или удалите SENDER_USERNAME и перезапустите бота: тогда коды будут приходить от имени самого Telegram.
sender-not-owned =
    📢 Коды не отправляются: канал { $channel } принадлежит другому аккаунту Telegram, а не тому, на который выдан токен Gateway. Поэтому Telegram Gateway не отправляет коды от имени этого канала (<code>SENDER_NOT_OWNED</code>).

    Чтобы это исправить, передайте канал аккаунту, с которым вы входите на gateway.telegram.org. Или укажите в SENDER_USERNAME канал этого аккаунта (либо удалите переменную) и перезапустите бота.
sender-username-invalid =
    📢 Коды не отправляются: Telegram Gateway не принимает { $channel } как канал для отправки кодов (<code>SENDER_USERNAME_INVALID</code>).

    Чтобы это исправить, проверьте, правильно ли указано имя в SENDER_USERNAME и существует ли канал с таким именем, затем перезапустите бота. Или удалите SENDER_USERNAME: тогда коды будут приходить от имени самого Telegram.

stats-title = 📊 <b>Проверки</b> (сутки по { $zone })
stats-period =
    <b>{ $name }</b>
    Отправлено кодов: { $sent }
    ✅ Подтверждено: { $verified } · ⛔ Не пройдено: { $failed } · ⌛ Истекло: { $expired } · 🚫 Отменено: { $cancelled }
    Доля успешных проверок: { $rate }
    📷 Подтверждено по QR-коду (бесплатно): { $by_contact }
    Потрачено: { $spent } · возвращено: { $refunded }
stats-balance = 💰 Баланс Gateway (по последним данным): { $balance }
stats-balance-unknown = пока неизвестен
stats-today = Сегодня
stats-7-days = За 7 дней
stats-30-days = За 30 дней

chart-title = Отправлено кодов и подтверждено номеров за 30 дней ({ $zone })
chart-caption = 📈 Отправлено кодов и подтверждено номеров по дням
chart-sent = Отправлено: { $count }
chart-verified = Подтверждено: { $count }
chart-day = { $day } { $month }
chart-empty = За этот период коды не отправлялись и номера не подтверждались

export-usage = Отправьте /export, чтобы выгрузить проверки за 30 дней, или /export 7 — за 7 дней (число дней — от 1 до 366). Я пришлю файл CSV и книгу Excel.
export-empty = { $days ->
    [1] За последние сутки
    [one] За последний { $days } день
    [few] За последние { $days } дня
   *[many] За последние { $days } дней
    } проверок не было, выгружать нечего.
export-progress = ⏳ Готовлю выгрузку: записано { $done } из { $total }.
export-sending = ⏳ Отправляю выгрузку: { $count ->
    [one] { $count } файл
    [few] { $count } файла
   *[many] { $count } файлов
    }.
export-done = ✅ Выгрузка готова: { $count ->
    [one] { $shown } проверка
    [few] { $shown } проверки
   *[many] { $shown } проверок
    }, файлы ниже.
export-in-parts = Telegram принимает файлы до 50 МБ, поэтому выгрузка разбита на { $parts ->
    [one] { $parts } часть
    [few] { $parts } части
   *[many] { $parts } частей
    }; это часть 1.
export-part = Часть { $part } из { $parts }.
export-caption-range = 🧾 Ваша выгрузка из панели: { $count ->
    [one] { $shown } проверка
    [few] { $shown } проверки
   *[many] { $shown } проверок
    } с { $from } по { $to }, в файле CSV (время в UTC).
export-caption = 🧾 { $count ->
    [one] { $shown } проверка
    [few] { $shown } проверки
   *[many] { $shown } проверок
    } за { $days ->
    [1] последние сутки
    [one] последний { $days } день
    [few] последние { $days } дня
   *[many] последние { $days } дней
    }, в файле CSV (время в UTC).

events-usage = Отправьте /events, чтобы узнать, как события доходят до ваших систем, или /events resend, чтобы отправить заново события, от доставки которых бот отказался.
events-off = 📡 События выключены. Чтобы каждое изменение проверки уходило в ваши системы (CRM, таблицу, n8n или Zapier), задайте EVENTS_URL и EVENTS_SECRET и перезапустите бота — как это сделать, написано в README, в разделе «Events».
events-state =
    📡 <b>События</b> → <code>{ $url }</code>
    { $state }
    Последняя успешная доставка: { $last_success }
    { $pending }
    { $given_up }
    Доставлено за последние 24 часа: { $delivered }
events-state-ok = ✅ Доставляются.
events-state-none-yet = ⏳ Пока ничего не доставлено.
events-state-failing = ⚠️ Не доставляются с { $since }: { $error }. Каждое событие будет отправлено ещё раз позже.
events-state-gone = ⛔ Остановлено: { $at } получатель ответил 410 Gone, и на этот адрес больше ничего не отправляется. Чтобы возобновить, укажите другой EVENTS_URL и перезапустите бота.
events-never = ещё не было
events-pending = ⏳ Ждут доставки: { $count }
events-pending-oldest = ⏳ Ждут доставки: { $count } (самое старое ждёт уже { $age })
events-given-up = 🗑 Бот отказался доставить: { $count }
events-given-up-resend = 🗑 Бот отказался доставить: { $count }. Команда /events resend отправит их заново.
events-resend-none = Отправлять заново нечего: все события доставлены или ждут доставки.
events-resent = 🔁 { $count ->
    [one] { $count } событие снова поставлено
    [few] { $count } события снова поставлены
   *[many] { $count } событий снова поставлено
    } в очередь. Получатель узнает уже полученное событие по <code>webhook-id</code>.
