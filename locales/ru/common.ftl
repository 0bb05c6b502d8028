# Общее: меню, кнопки, ошибки, проблемы Gateway, единицы времени.

menu-verify = Отправить код на телефон клиента
menu-status = Ваши активные проверки
menu-cancel = Отменить активную проверку
menu-history = Ваши последние проверки
menu-qr = Клиент рядом: бесплатная проверка по QR-коду
menu-lookup = Что известно о номере
menu-help = Как работает бот
menu-panel = Таблицы и график в панели
menu-language = Сменить язык
menu-invite = Администраторам: пригласить коллегу
menu-staff = Администраторам: список и удаление сотрудников
menu-stats = Администраторам: коды, доля успешных проверок, расходы
menu-export = Администраторам: выгрузка проверок в CSV и Excel
menu-reset = Администраторам: сбросить лимит отправок для номера
menu-events = Администраторам: как события доходят до ваших систем

button-resend = 🔁 Новый код
button-cancel = ✖️ Отменить
button-remove = 🗑 Удалить: { $name }

access-unavailable = ⚠️ Сейчас я не могу ответить. Попробуйте ещё раз через минуту.
internal-error = ⚠️ Произошла внутренняя ошибка — запрос не выполнен. Попробуйте ещё раз через минуту.
unknown-command = Я не знаю такой команды. Список команд — в /help.
not-text = Я понимаю только текстовые сообщения. Список команд — в /help.

gw-balance-not-enough = на балансе Telegram Gateway недостаточно средств. Попросите владельца аккаунта пополнить баланс.
gw-flood-wait = Telegram попросил меня отправлять запросы реже. Попробуйте ещё раз через { $wait }.
gw-phone-not-found = этот номер не может получать коды в Telegram (возможно, у клиента нет аккаунта в Telegram). Подтвердите номер другим способом.
gw-phone-invalid = Telegram не принимает этот номер телефона. Уточните номер у клиента.
gw-token-refused = Telegram Gateway не принял токен доступа бота. Администратору нужно исправить GATEWAY_TOKEN.
gw-code-expired = срок действия кода истёк.
gw-max-attempts = слишком много неверных попыток.
gw-refused = Telegram Gateway отклонил запрос (<code>{ $error }</code>). Попробуйте позже.
gw-timeout = Telegram Gateway не ответил вовремя.
gw-unreachable = не удалось связаться с Telegram Gateway.
gw-bad-response = в Telegram Gateway сбой (вместо ответа пришла страница ошибки HTTP { $status }).

unit-days = { $count ->
    [one] { $count } день
    [few] { $count } дня
   *[many] { $count } дней
}
unit-hours = { $count ->
    [one] { $count } час
    [few] { $count } часа
   *[many] { $count } часов
}
unit-minutes = { $count ->
    [one] { $count } минуту
    [few] { $count } минуты
   *[many] { $count } минут
}
unit-seconds = { $count ->
    [one] { $count } секунду
    [few] { $count } секунды
   *[many] { $count } секунд
}
just-now = только что
ago = { $duration } назад
until = через { $duration } (в { $clock })

month-short = { $month ->
    [1] янв
    [2] фев
    [3] мар
    [4] апр
    [5] мая
    [6] июн
    [7] июл
    [8] авг
    [9] сен
    [10] окт
    [11] ноя
   *[12] дек
}

language-pick = 🌐 Язык бота:
language-set = 🌐 Теперь я буду отвечать по-русски.
language-english = English
language-russian = Русский

# Панель (мини-приложение): /panel и кнопка меню.
panel-open = 📊 Панель: цифры, график и все проверки в таблицах. Она открывается прямо в Telegram.
button-open-panel = 📊 Открыть панель
menu-button-panel = Панель
panel-in-group = 📊 Панель открывается только в личном чате со мной: откройте @{ $bot } и отправьте там /panel.
panel-off = 📊 Панель не настроена: для неё нужен <code>PUBLIC_URL</code> — публичный HTTPS-адрес бота. Попросите того, кто управляет ботом, его задать.
