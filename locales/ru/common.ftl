# Общее: меню, кнопки, ошибки, проблемы Gateway, единицы времени.

menu-verify = Отправить код на телефон клиента
menu-status = Ваши открытые проверки
menu-cancel = Отменить открытую проверку
menu-history = Ваши последние проверки
menu-help = Как работает бот
menu-language = Сменить язык
menu-invite = Админ: пригласить коллегу
menu-staff = Админ: сотрудники и удаление доступа
menu-stats = Админ: коды, успешность и расходы
menu-export = Админ: проверки в CSV-файле
menu-reset = Админ: сбросить лимит отправки для номера

button-resend = 🔁 Отправить код ещё раз
button-cancel = ✖️ Отменить
button-remove = 🗑 Удалить { $name }

access-unavailable = ⚠️ Сейчас я не могу проверить, кто вы. Попробуйте ещё раз через минуту.
internal-error = ⚠️ У меня что-то пошло не так, и запрос не выполнен. Попробуйте ещё раз через минуту.
unknown-command = Я не знаю такой команды. Что я умею — в /help.
not-text = Я понимаю только текстовые сообщения. Что я умею — в /help.

gw-balance-not-enough = на балансе Telegram Gateway не хватает средств. Попросите владельца аккаунта пополнить его.
gw-flood-wait = Telegram просит нас не торопиться. Попробуйте ещё раз через { $wait }.
gw-phone-not-found = на этот номер нельзя отправить код в Telegram (возможно, у него нет аккаунта в Telegram). Подтвердите номер другим способом.
gw-phone-invalid = Telegram не принимает этот номер телефона. Уточните его у клиента.
gw-token-refused = Telegram Gateway не принял токен доступа бота. Администратору нужно исправить GATEWAY_TOKEN.
gw-code-expired = срок действия кода истёк.
gw-max-attempts = слишком много раз введён неверный код.
gw-refused = Telegram Gateway отклонил запрос (<code>{ $error }</code>). Попробуйте позже.
gw-timeout = Telegram Gateway не ответил вовремя.
gw-unreachable = не удалось связаться с Telegram Gateway.
gw-bad-response = у Telegram Gateway неполадки (он ответил страницей ошибки HTTP { $status }).

unit-days = { $count ->
    [one] { $count } день
    [few] { $count } дня
   *[many] { $count } дней
}
unit-hours = { $count ->
    [one] { $count } час
    [few] { $count } часа
   *[many] { $count } часов
}
unit-minutes = { $count ->
    [one] { $count } минуту
    [few] { $count } минуты
   *[many] { $count } минут
}
unit-seconds = { $count ->
    [one] { $count } секунду
    [few] { $count } секунды
   *[many] { $count } секунд
}
attempts = { $count ->
    [one] { $count } попытка
    [few] { $count } попытки
   *[many] { $count } попыток
}
just-now = только что
ago = { $duration } назад
until = через { $duration } (в { $clock } UTC)

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

language-pick = 🌐 Выберите язык, на котором я буду с вами говорить. Сейчас: русский.
language-set = 🌐 Теперь я говорю с вами по-русски.
language-english = English
language-russian = Русский
